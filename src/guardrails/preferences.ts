import { count, eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { currentCustomerId } from '../identity/survivors';
import { customers, deviceTokens, type Consent, type ConsentState } from '../db/schema';
import type { JsonObject } from '../journeys/run-types';
import { recordEvents } from '../routing/record-events';
import { lockConsentForChange } from './consent-gate';
import {
  isSubscribed,
  setTopicChoice,
  topicStates,
  type TopicChoice,
  type TopicState,
} from './topics';
import type { UnsubscribeChannel } from './unsubscribe-token';

export const UNSUBSCRIBE_EVENT = 'unsubscribe';
export const RESUBSCRIBE_EVENT = 'resubscribe';
export const CHANNELS: readonly UnsubscribeChannel[] = ['email', 'sms', 'push'];

export interface ChannelState {
  channel: UnsubscribeChannel;
  subscribed: boolean;
  /** SMS needs an explicit opt-in given to the sender (e.g. texting START), not a web form. */
  canSubscribe: boolean;
}

export interface Preferences {
  /** Channels the customer can be reached on (and the channel the link came from). */
  channels: ChannelState[];
  topics: TopicState[];
}

export interface PreferenceChanges {
  channels: Partial<Record<UnsubscribeChannel, ConsentState>>;
  topics: Record<string, TopicChoice>;
}

/** Where a change came from, for the events it stores. */
export interface ChangeOrigin {
  /** Makes event ids unique per action: a delivery id, a token digest or a submission id. */
  ref: string;
  /** The channel of the link the customer followed. */
  channel: UnsubscribeChannel;
  source: 'one_click' | 'preference_page';
}

/**
 * What the send path allows by default: email and push unless opted out, SMS only when opted in.
 * The page shows these effective states, not the raw stored consent.
 */
export function channelSubscribed(channel: UnsubscribeChannel, consent: Consent): boolean {
  return channel === 'sms' ? consent.sms === 'opted_in' : consent[channel] !== 'opted_out';
}

/** The customer's preferences; null when the customer no longer exists. */
export async function loadPreferences(
  db: Database,
  linkCustomerId: string,
  linkChannel: UnsubscribeChannel,
): Promise<Preferences | null> {
  // A link sent to a customer merged away since (src/identity) shows the survivor's choices.
  const customerId = await currentCustomerId(db, linkCustomerId);
  const [customer] = await db
    .select({ email: customers.email, phone: customers.phone, consent: customers.consent })
    .from(customers)
    .where(eq(customers.id, customerId))
    .limit(1);
  if (!customer) return null;
  const [devices] = await db
    .select({ n: count() })
    .from(deviceTokens)
    .where(eq(deviceTokens.customerId, customerId));
  const reachable: Record<UnsubscribeChannel, boolean> = {
    email: customer.email !== null,
    sms: customer.phone !== null,
    push: (devices?.n ?? 0) > 0,
  };
  const channels = CHANNELS.filter((c) => reachable[c] || c === linkChannel).map((channel) => {
    const subscribed = channelSubscribed(channel, customer.consent);
    return { channel, subscribed, canSubscribe: channel !== 'sms' || subscribed };
  });
  return { channels, topics: await topicStates(db, customerId) };
}

/**
 * Applies channel consent and topic choices in one transaction with the customer row locked, and
 * stores an unsubscribe/resubscribe event for every effective change, so running journeys that
 * exit on it hear of it. Returns how many events were newly stored (the caller wakes the router
 * once this has committed); null when the customer no longer exists. Topics that do not exist are ignored.
 */
export async function applyPreferenceChanges(
  db: Database,
  linkCustomerId: string,
  changes: PreferenceChanges,
  origin: ChangeOrigin,
): Promise<number | null> {
  return db.transaction(async (tx) => {
    // A link sent to a customer merged away since (src/identity) changes the survivor's choices.
    const customerId = await currentCustomerId(tx, linkCustomerId);
    // Waits for sends on their way; none leaves after this change commits.
    await lockConsentForChange(tx, customerId);
    const [customer] = await tx
      .select({ consent: customers.consent })
      .from(customers)
      .where(eq(customers.id, customerId))
      .for('update');
    if (!customer) return null;
    const items: EventItem[] = [];
    const consent = { ...customer.consent };
    for (const [channel, state] of channelEntries(changes.channels)) {
      if (!mayApplyConsent(channel, state, customer.consent)) continue;
      const before = channelSubscribed(channel, consent);
      consent[channel] = state;
      if (before !== channelSubscribed(channel, consent))
        items.push({ channel, subscribe: !before });
    }
    if (Object.keys(changes.channels).length > 0) {
      await tx
        .update(customers)
        .set({ consent, updatedAt: new Date() })
        .where(eq(customers.id, customerId));
    }
    const known = new Map((await topicStates(tx, customerId)).map((s) => [s.topic.id, s]));
    for (const [topicId, choice] of Object.entries(changes.topics)) {
      const state = known.get(topicId);
      if (!state) continue;
      await setTopicChoice(tx, customerId, topicId, choice);
      const after = isSubscribed(state.topic.mode, choice);
      if (after !== state.subscribed) {
        items.push({ channel: origin.channel, topic: topicId, subscribe: after });
      }
    }
    return storeChangeEvents(tx, customerId, items, origin);
  });
}

interface EventItem {
  channel: UnsubscribeChannel;
  topic?: string;
  subscribe: boolean;
}

// SMS consent is given to the sender (START), never by a web form: the page can only turn it off.
function mayApplyConsent(
  channel: UnsubscribeChannel,
  state: ConsentState,
  stored: Consent,
): boolean {
  return channel !== 'sms' || state === 'opted_out' || stored.sms === 'opted_in';
}

function channelEntries(
  channels: PreferenceChanges['channels'],
): [UnsubscribeChannel, ConsentState][] {
  return CHANNELS.flatMap((channel) => {
    const state = channels[channel];
    return state ? [[channel, state] as [UnsubscribeChannel, ConsentState]] : [];
  });
}

async function storeChangeEvents(
  db: Database,
  customerId: string,
  items: EventItem[],
  origin: ChangeOrigin,
): Promise<number> {
  if (items.length === 0) return 0;
  const now = new Date();
  const stored = await recordEvents(
    db,
    items.map((item) => {
      const type = item.subscribe ? RESUBSCRIBE_EVENT : UNSUBSCRIBE_EVENT;
      const properties: JsonObject = { channel: item.channel, source: origin.source };
      if (item.topic !== undefined) properties.topic = item.topic;
      return {
        id: `${type}:${origin.ref}:${item.channel}:${item.topic ?? '-'}`,
        customerId,
        type,
        occurredAt: now.toISOString(),
        properties,
      };
    }),
    { now, source: origin.source },
  );
  return stored.filter((s) => !s.duplicate).length;
}
