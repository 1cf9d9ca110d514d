import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerTopics, topics } from '../db/schema';
import { lockConsentForChange } from './consent-gate';

export type TopicMode = 'opt_in' | 'opt_out';
export type TopicChoice = 'subscribed' | 'unsubscribed';
export type TopicRow = typeof topics.$inferSelect;

export type TopicDecision =
  | { allowed: true }
  | { allowed: false; reason: 'topic_unsubscribed' | 'topic_not_opted_in' | 'unknown_topic' };

/** A topic with the customer's explicit choice (null: none) and what it amounts to. */
export interface TopicState {
  topic: TopicRow;
  choice: TopicChoice | null;
  subscribed: boolean;
}

/**
 * Whether a marketing message of this topic may go to the customer. opt_out topics (a newsletter
 * the customer signed up to with their account) are on until the customer unsubscribes; opt_in
 * topics are off until they subscribe. A topic that does not exist is refused: a typo in a
 * journey must not bypass everyone's choices. Database errors propagate (the send fails closed).
 */
export async function topicAllows(
  db: Database,
  customerId: string,
  topicId: string,
): Promise<TopicDecision> {
  const [row] = await db
    .select({ mode: topics.mode, choice: customerTopics.status })
    .from(topics)
    .leftJoin(
      customerTopics,
      and(eq(customerTopics.topicId, topics.id), eq(customerTopics.customerId, customerId)),
    )
    .where(eq(topics.id, topicId))
    .limit(1);
  return topicDecision(row?.mode ?? null, row?.choice ?? null);
}

/** The decision for a topic's mode (null: no such topic) and the customer's choice. Pure. */
export function topicDecision(mode: TopicMode | null, choice: TopicChoice | null): TopicDecision {
  if (mode === null) return { allowed: false, reason: 'unknown_topic' };
  if (isSubscribed(mode, choice)) return { allowed: true };
  return {
    allowed: false,
    reason: mode === 'opt_in' ? 'topic_not_opted_in' : 'topic_unsubscribed',
  };
}

export function isSubscribed(mode: TopicMode, choice: TopicChoice | null): boolean {
  return mode === 'opt_in' ? choice === 'subscribed' : choice !== 'unsubscribed';
}

/**
 * Records the customer's choice for a topic. Returns the previous choice (null: none), so callers
 * can tell a change from a repeat. The customer and topic must exist (foreign keys).
 */
export async function setTopicChoice(
  db: Database,
  customerId: string,
  topicId: string,
  status: TopicChoice,
): Promise<{ previous: TopicChoice | null }> {
  return db.transaction(async (tx) => {
    // Waits for sends on their way; none leaves after this change commits.
    await lockConsentForChange(tx, customerId);
    const [before] = await tx
      .select({ status: customerTopics.status })
      .from(customerTopics)
      .where(and(eq(customerTopics.customerId, customerId), eq(customerTopics.topicId, topicId)))
      .for('update');
    await tx
      .insert(customerTopics)
      .values({ customerId, topicId, status })
      .onConflictDoUpdate({
        target: [customerTopics.customerId, customerTopics.topicId],
        set: { status, updatedAt: sql`now()` },
      });
    return { previous: before?.status ?? null };
  });
}

/** Every topic, by id, with the customer's effective state. */
export async function topicStates(db: Database, customerId: string): Promise<TopicState[]> {
  const rows = await db
    .select({ topic: topics, choice: customerTopics.status })
    .from(topics)
    .leftJoin(
      customerTopics,
      and(eq(customerTopics.topicId, topics.id), eq(customerTopics.customerId, customerId)),
    )
    .orderBy(asc(topics.id));
  return rows.map(({ topic, choice }) => ({
    topic,
    choice,
    subscribed: isSubscribed(topic.mode, choice),
  }));
}

export async function findTopic(db: Database, topicId: string): Promise<TopicRow | undefined> {
  const [row] = await db.select().from(topics).where(eq(topics.id, topicId)).limit(1);
  return row;
}

/** Creates or replaces a topic's name, description and mode. */
export async function upsertTopic(
  db: Database,
  topic: { id: string; name: string; description: string | null; mode: TopicMode },
): Promise<{ row: TopicRow; created: boolean }> {
  const [row] = await db
    .insert(topics)
    .values(topic)
    .onConflictDoUpdate({
      target: topics.id,
      set: { name: topic.name, description: topic.description, mode: topic.mode },
    })
    // xmax = 0 only on a freshly inserted row version.
    .returning({ ...getTableColumns(topics), created: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error('topic upsert returned no row');
  const { created, ...rest } = row;
  return { row: rest, created };
}

export async function listTopics(db: Database): Promise<TopicRow[]> {
  return db.select().from(topics).orderBy(asc(topics.id));
}

/** Deletes the customer's topic choices (their erasure). */
export async function eraseTopicChoices(db: Database, customerId: string): Promise<number> {
  const deleted = await db
    .delete(customerTopics)
    .where(eq(customerTopics.customerId, customerId))
    .returning({ topicId: customerTopics.topicId });
  return deleted.length;
}
