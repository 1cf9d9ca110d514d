import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { CustomerRow } from '../customers';
import { currentIdSql } from '../customers/redirect-sql';
import type { Database } from '../db/database';
import { preparedPerDatabase } from '../db/prepared';
import { customers, customerTopics, suppressions, topics } from '../db/schema';
import type { ChannelName } from '../journeys/channel-content';
import type { MessageKind } from './channel-consent';
import type { KnownSuppression } from './suppression';
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

type AddressKind = 'email' | 'sms' | 'none';

/**
 * The customer's own address on a channel, normalised as far as SQL can (lower-case trimmed
 * email; the phone as stored, E.164 when it was written through the API). Push tokens live in
 * their own table and are read by the push driver; webhook and in-app reach no address.
 */
function addressKind(channel: ChannelName): AddressKind {
  return channel === 'email' || channel === 'sms' ? channel : 'none';
}

function ownAddressSql(kind: Exclude<AddressKind, 'none'>): SQL {
  return kind === 'email' ? sql`lower(btrim(${customers.email}))` : sql`${customers.phone}`;
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
  const kind = addressKind(question.channel);
  const topicId = question.messageKind === 'marketing' ? question.topic : undefined;
  const rows = await sendStateStatements[kind](db).execute({
    customerId: question.customerId,
    topicId: topicId ?? null,
  });
  const row = rows[0];
  if (!row) return null;
  return {
    customer: row.customer,
    suppression:
      kind !== 'none' && row.ownAddress !== null
        ? { channel: kind, address: row.ownAddress, suppressed: row.suppressed }
        : null,
    topic: topicId === undefined ? null : topicDecision(row.topicMode, row.topicChoice),
  };
}

/**
 * The statement for one kind of address, built once per database (src/db/prepared.ts): one per
 * kind, as the address and the suppression check differ. Without a topic to check the joins
 * match nothing, so a topic is a parameter, not another statement.
 */
function sendStateStatement(kind: AddressKind) {
  return preparedPerDatabase((db) => {
    const address = kind === 'none' ? null : ownAddressSql(kind);
    return (
      db
        .select({
          customer: customers,
          ownAddress: address ? sql<string | null>`${address}` : sql<null>`null`,
          suppressed: address
            ? sql<boolean>`exists (select 1 from ${suppressions} where ${suppressions.channel} = ${kind} and ${suppressions.address} = ${address})`
            : sql<boolean>`false`,
          topicMode: topics.mode,
          topicChoice: customerTopics.status,
        })
        .from(customers)
        .leftJoin(topics, eq(topics.id, sql`${sql.placeholder('topicId')}::text`))
        .leftJoin(
          customerTopics,
          and(eq(customerTopics.customerId, customers.id), eq(customerTopics.topicId, topics.id)),
        )
        // A run of a customer merged away (src/identity) sends to the survivor, as it reads it.
        .where(eq(customers.id, currentIdSql(sql`${sql.placeholder('customerId')}::text`)))
        .limit(1)
        .prepare(`read_send_state_${kind}`)
    );
  });
}

const sendStateStatements = {
  email: sendStateStatement('email'),
  sms: sendStateStatement('sms'),
  none: sendStateStatement('none'),
};
