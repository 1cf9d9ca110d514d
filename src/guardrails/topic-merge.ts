import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customerTopics } from '../db/schema';
import type { TopicChoice } from './topics';

/** Topic id → choice, as a merge records each side (and the survivor's after the merge). */
export type TopicChoices = Record<string, TopicChoice>;

export interface TopicMergeRecord {
  from: TopicChoices;
  into: TopicChoices;
  merged: TopicChoices;
}

async function choicesOf(db: Database, customerId: string): Promise<TopicChoices> {
  const rows = await db
    .select({ topicId: customerTopics.topicId, status: customerTopics.status })
    .from(customerTopics)
    .where(eq(customerTopics.customerId, customerId))
    .for('update');
  return Object.fromEntries(rows.map((row) => [row.topicId, row.status]));
}

/**
 * The survivor's topic choices after a merge: per topic, unsubscribed wins over subscribed, and
 * a choice only the merged-away customer made is taken over. The caller holds both consent
 * gates (src/customers' mergeProfiles takes them first). The merged-away rows stay for an unmerge.
 */
export async function mergeTopicChoices(
  db: Database,
  from: string,
  into: string,
): Promise<TopicMergeRecord> {
  const [a, b] = [await choicesOf(db, from), await choicesOf(db, into)];
  const merged: TopicChoices = { ...b };
  for (const [topic, choice] of Object.entries(a)) {
    if (merged[topic] !== 'unsubscribed') merged[topic] = choice;
  }
  await writeChoices(db, into, merged);
  return { from: a, into: b, merged };
}

/**
 * Undoes mergeTopicChoices: the survivor's choices go back, except ones changed since, which it
 * keeps; an unsubscribe given since stays on both (fail closed).
 */
export async function restoreTopicChoices(
  db: Database,
  from: string,
  into: string,
  record: TopicMergeRecord,
): Promise<void> {
  const now = await choicesOf(db, into);
  const restored: TopicChoices = {};
  const fromChoices = { ...record.from };
  for (const topic of new Set([...Object.keys(now), ...Object.keys(record.into)])) {
    const changed = now[topic] !== record.merged[topic];
    const choice = changed ? now[topic] : record.into[topic];
    if (choice) restored[topic] = choice;
    if (changed && now[topic] === 'unsubscribed') fromChoices[topic] = 'unsubscribed';
  }
  await db.delete(customerTopics).where(eq(customerTopics.customerId, into));
  await writeChoices(db, into, restored);
  await writeChoices(db, from, fromChoices);
}

async function writeChoices(db: Database, customerId: string, choices: TopicChoices) {
  for (const [topicId, status] of Object.entries(choices)) {
    await db
      .insert(customerTopics)
      .values({ customerId, topicId, status })
      .onConflictDoUpdate({
        target: [customerTopics.customerId, customerTopics.topicId],
        set: { status, updatedAt: sql`now()` },
        where: and(
          eq(customerTopics.customerId, customerId),
          sql`${customerTopics.status} <> excluded.status`,
        ),
      });
  }
}
