import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers, type ConsentState } from '../db/schema';
import { recordEvents } from '../routing/record-events';
import { lockConsentForChange } from './consent-gate';
import { liftCarrierComplaint } from './suppression';

export type InboundKeyword = 'stop' | 'start' | 'help';

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'INFO']);

/**
 * The keyword of an inbound text. Opting out and asking for help read the first word ("Stop
 * texting me" stops), failing towards less messaging. Opting back in needs the keyword alone, so
 * "Yes, see you at 3" answering a reminder does not re-subscribe anyone.
 */
export function keywordOf(body: string): InboundKeyword | null {
  const words = body.trim().split(/\s+/);
  const first = (words[0] ?? '').replace(/[^\p{L}\p{N}]+$/u, '').toUpperCase();
  if (OPT_OUT.has(first)) return 'stop';
  if (HELP.has(first)) return 'help';
  if (OPT_IN.has(first) && words.length === 1) return 'start';
  return null;
}

export interface InboundMessage {
  messageSid: string;
  /** The sender, E.164. */
  from: string;
  body: string;
}

export interface InboundOutcome {
  keyword: InboundKeyword | null;
  /** Customers whose phone is the sender. */
  matched: number;
  /** How many events were newly stored (0 when Twilio repeated the message). */
  eventsStored: number;
}

const CONSENT_CHANGE: Partial<Record<InboundKeyword, ConsentState>> = {
  stop: 'opted_out',
  start: 'opted_in',
};

const EVENT_TYPE: Record<InboundKeyword | 'none', string> = {
  stop: 'sms_opted_out',
  start: 'sms_opted_in',
  help: 'sms_received',
  none: 'sms_received',
};

/**
 * Applies one inbound text to every customer with this phone number, in one transaction: an
 * event per customer with the id twilio:<MessageSid>:<customerId>, and for STOP/START the SMS
 * consent — only for customers whose event is new, so a repeated callback (Twilio retries) never
 * undoes a later change. The text itself is not stored, only its length.
 */
export async function applyInboundSms(
  db: Database,
  message: InboundMessage,
  options: { now: Date },
): Promise<InboundOutcome> {
  const keyword = keywordOf(message.body);
  return db.transaction(async (tx) => {
    const owners = await tx
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.phone, message.from))
      .for('update');
    if (owners.length === 0) return { keyword, matched: 0, eventsStored: 0 };
    const stored = await recordEvents(
      tx,
      owners.map((owner) => ({
        id: `twilio:${message.messageSid}:${owner.id}`,
        customerId: owner.id,
        type: EVENT_TYPE[keyword ?? 'none'],
        properties: { messageSid: message.messageSid, keyword, length: message.body.length },
      })),
      { ...options, source: 'twilio' },
    );
    const fresh = owners.flatMap((owner, i) => (stored[i]?.duplicate === false ? [owner.id] : []));
    const consent = keyword ? CONSENT_CHANGE[keyword] : undefined;
    if (consent && fresh.length > 0) {
      // STOP waits for SMS already on their way; none leaves after the change commits.
      for (const id of [...fresh].sort()) {
        await lockConsentForChange(tx, id);
      }
      await setSmsConsent(tx, fresh, consent);
      // START undoes what the carrier's STOP did: Twilio's "unsubscribed recipient" complaint.
      if (consent === 'opted_in') await liftCarrierComplaint(tx, message.from);
    }
    return { keyword, matched: owners.length, eventsStored: fresh.length };
  });
}

async function setSmsConsent(
  db: Database,
  customerIds: string[],
  state: ConsentState,
): Promise<void> {
  await db
    .update(customers)
    .set({
      consent: sql`${customers.consent} || jsonb_build_object('sms', ${state}::text)`,
      updatedAt: sql`now()`,
    })
    .where(inArray(customers.id, customerIds));
}
