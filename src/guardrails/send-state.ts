import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { CustomerRow } from '../customers';
import type { Database } from '../db/database';
import { customers, customerTopics, suppressions, topics } from '../db/schema';
import type { ChannelName } from '../journeys/channel-content';
import type { MessageKind } from './channel-consent';
import type { KnownSuppression, SuppressionChannel } from './suppression';
import { topicDecision, type TopicDecision } from './topics';

/** What the send checks need to know about one customer for one message, read at one moment. */
export interface SendState {
  customer: CustomerRow;
  suppression: KnownSuppression | null;
  /** Marketing with a topic: the topic's decision for this customer; null when not asked. */
  topic: TopicDecision | null;
}

export interface SendStateQuestion {
  customerId: string;
  channel: ChannelName;
  messageKind: MessageKind;
  topic?: string;
}

/**
 * The customer's own address on a channel, normalised as far as SQL can (lower-case trimmed
 * email; the phone as stored, E.164 when it was written through the API). Push tokens live in
 * their own table and are read by the push driver; webhook and in-app reach no address.
 */
function ownAddress(channel: ChannelName): { channel: SuppressionChannel; address: SQL } | null {
  if (channel === 'email') return { channel, address: sql`lower(btrim(${customers.email}))` };
  if (channel === 'sms') return { channel, address: sql`${customers.phone}` };
  return null;
}

/**
 * Reads the customer (consent and addresses), whether their address on this channel is
 * suppressed, and their state of the message's topic, in one statement. Called under the consent
 * gate, after its lock is granted, so it sees every consent change committed before (see
 * consent-gate.ts). Null when the customer does not exist. Never cached; database errors
 * propagate (the send fails closed and retries).
 */
export async function readSendState(
  db: Database,
  question: SendStateQuestion,
): Promise<SendState | null> {
  const own = ownAddress(question.channel);
  const topicId = question.messageKind === 'marketing' ? question.topic : undefined;
  const rows = await db
    .select({
      customer: customers,
      ownAddress: own ? sql<string | null>`${own.address}` : sql<null>`null`,
      suppressed: own
        ? sql<boolean>`exists (select 1 from ${suppressions} where ${suppressions.channel} = ${own.channel} and ${suppressions.address} = ${own.address})`
        : sql<boolean>`false`,
      topicMode: topics.mode,
      topicChoice: customerTopics.status,
    })
    .from(customers)
    // Without a topic to check the joins match nothing: the statement text stays the same.
    .leftJoin(topics, eq(topics.id, sql`${topicId ?? null}::text`))
    .leftJoin(
      customerTopics,
      and(eq(customerTopics.customerId, customers.id), eq(customerTopics.topicId, topics.id)),
    )
    .where(eq(customers.id, question.customerId))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  return {
    customer: row.customer,
    suppression:
      own && row.ownAddress !== null
        ? { channel: own.channel, address: row.ownAddress, suppressed: row.suppressed }
        : null,
    topic: topicId === undefined ? null : topicDecision(row.topicMode, row.topicChoice),
  };
}
