import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import {
  customerLifecycle,
  customerScores,
  lifecycleDueChecks,
  profileRuleApplications,
  scoreContributions,
  segmentDueChecks,
  segmentMemberships,
  segments,
} from '../db/schema';
import { DAY_MS } from '../scores/decay';
import { requestStageChecks } from './lifecycle-changes';

/**
 * The audience layer's part in a merge of two customers (src/identity composes the merge). What
 * an event counted moves with the event — its profile-rule applications and score contributions —
 * so a purchase counts once, for the survivor, and a replayed one not again; the survivor's
 * decaying scores are recomputed from their contributions. Rule segments and the stage are
 * re-evaluated (through the due indexes, as after a profile change) rather than copied; a manual
 * segment has no rule to evaluate, so the survivor is added to the merged-away customer's.
 */
export interface AudienceMergeRecord {
  ruleApplications: string[][];
  contributions: [string, number, string][];
  memberships: { segmentId: string; version: number; enteredAt: string }[];
  manualAdded: string[];
  lifecycle: { stage: string; since: string } | null;
}

export async function mergeAudience(
  db: Database,
  from: string,
  into: string,
  now: Date,
): Promise<AudienceMergeRecord> {
  const ruleApplications = await db
    .update(profileRuleApplications)
    .set({ customerId: into })
    .where(eq(profileRuleApplications.customerId, from))
    .returning({ rule: profileRuleApplications.ruleId, event: profileRuleApplications.eventId });
  const contributions = await db
    .update(scoreContributions)
    .set({ customerId: into })
    .where(eq(scoreContributions.customerId, from))
    .returning({
      score: scoreContributions.scoreId,
      version: scoreContributions.version,
      event: scoreContributions.eventId,
    });
  await recomputeDecayingScores(db, [from, into]);
  const memberships = await takeMemberships(db, from);
  const manualAdded = await addToManualSegments(db, into, memberships, now);
  const [lifecycle] = await db
    .delete(customerLifecycle)
    .where(eq(customerLifecycle.customerId, from))
    .returning();
  await db.delete(lifecycleDueChecks).where(eq(lifecycleDueChecks.customerId, from));
  await requestEvaluation(db, [into], now);
  return {
    ruleApplications: ruleApplications.map((r) => [r.rule, r.event]),
    contributions: contributions.map((c) => [c.score, c.version, c.event]),
    memberships: memberships.map((m) => ({ ...m, enteredAt: m.enteredAt.toISOString() })),
    manualAdded,
    lifecycle: lifecycle ? { stage: lifecycle.stage, since: lifecycle.since.toISOString() } : null,
  };
}

/** Undoes mergeAudience: what moved goes back, both customers are evaluated again. */
export async function restoreAudience(
  db: Database,
  from: string,
  into: string,
  record: AudienceMergeRecord,
  now: Date,
): Promise<void> {
  for (const [rule, event] of record.ruleApplications) {
    await db
      .update(profileRuleApplications)
      .set({ customerId: from })
      .where(
        and(eq(profileRuleApplications.ruleId, rule!), eq(profileRuleApplications.eventId, event!)),
      );
  }
  for (const [score, version, event] of record.contributions) {
    await db
      .update(scoreContributions)
      .set({ customerId: from })
      .where(
        and(
          eq(scoreContributions.scoreId, score),
          eq(scoreContributions.version, version),
          eq(scoreContributions.eventId, event),
        ),
      );
  }
  await recomputeDecayingScores(db, [from, into]);
  for (const segmentId of record.manualAdded) {
    await db
      .delete(segmentMemberships)
      .where(
        and(eq(segmentMemberships.segmentId, segmentId), eq(segmentMemberships.customerId, into)),
      );
  }
  for (const m of record.memberships) {
    await db
      .insert(segmentMemberships)
      .values({ ...m, customerId: from, enteredAt: new Date(m.enteredAt) })
      .onConflictDoNothing();
  }
  if (record.lifecycle) {
    await db
      .insert(customerLifecycle)
      .values({
        customerId: from,
        stage: record.lifecycle.stage,
        since: new Date(record.lifecycle.since),
      })
      .onConflictDoNothing();
  }
  await requestEvaluation(db, [from, into], now);
}

/** The customer's current memberships, removed (no segment_exited: they moved, not left). */
async function takeMemberships(db: Database, customerId: string) {
  await db.delete(segmentDueChecks).where(eq(segmentDueChecks.customerId, customerId));
  return db
    .delete(segmentMemberships)
    .where(and(eq(segmentMemberships.customerId, customerId), isNull(segmentMemberships.exitedAt)))
    .returning({
      segmentId: segmentMemberships.segmentId,
      version: segmentMemberships.version,
      enteredAt: segmentMemberships.enteredAt,
    });
}

async function addToManualSegments(
  db: Database,
  customerId: string,
  memberships: { segmentId: string; version: number }[],
  now: Date,
): Promise<string[]> {
  if (memberships.length === 0) return [];
  const manual = await db
    .select({ id: segments.id })
    .from(segments)
    .where(
      sql`${segments.kind} = 'manual' and ${segments.id} = any(${sql.param(memberships.map((m) => m.segmentId))})`,
    );
  const added: string[] = [];
  for (const { id } of manual) {
    const version = memberships.find((m) => m.segmentId === id)!.version;
    const rows = await db
      .insert(segmentMemberships)
      .values({ segmentId: id, customerId, version, enteredAt: now })
      .onConflictDoNothing()
      .returning({ id: segmentMemberships.segmentId });
    if (rows.length > 0) added.push(id);
  }
  return added;
}

/** Every active rule segment and the stage look at these customers again, at once. */
async function requestEvaluation(db: Database, customerIds: string[], now: Date): Promise<void> {
  await db.execute(sql`
    insert into segment_due_checks (segment_id, customer_id, due_at)
    select s.id, c.id, ${now.toISOString()}::timestamptz
      from segments s cross join unnest(${sql.param(customerIds)}::text[]) as c(id)
     where s.kind = 'rule' and s.status = 'active'
    on conflict (segment_id, customer_id) do update
       set due_at = least(segment_due_checks.due_at, excluded.due_at)`);
  await requestStageChecks(db, customerIds, now);
}

/**
 * The decaying scores of these customers, recomputed from their contributions: each score's
 * value at as_of (its newest contribution's time) is Σ points × decay^(days from t to as_of),
 * what the router's incremental sums arrive at (src/audience/live-scores.ts).
 */
async function recomputeDecayingScores(db: Database, customerIds: string[]): Promise<void> {
  const decays = await db
    .selectDistinct({
      scoreId: customerScores.scoreId,
      version: customerScores.version,
      decayPerDay: customerScores.decayPerDay,
    })
    .from(customerScores)
    .where(sql`${customerScores.customerId} = any(${sql.param(customerIds)})`);
  await db
    .delete(customerScores)
    .where(sql`${customerScores.customerId} = any(${sql.param(customerIds)})`);
  if (decays.length === 0) return;
  await db.execute(sql`
    with decay as (
      select * from jsonb_to_recordset(${JSON.stringify(decays)}::jsonb)
        as d("scoreId" text, version int, "decayPerDay" float8)
    ),
    c as (
      select sc.customer_id, sc.score_id, sc.version, sc.points,
             least(sc.occurred_at, sc.counted_at) as t,
             max(least(sc.occurred_at, sc.counted_at))
               over (partition by sc.customer_id, sc.score_id, sc.version) as as_of
        from score_contributions sc
       where sc.customer_id = any(${sql.param(customerIds)})
    )
    insert into customer_scores (customer_id, score_id, version, value, as_of, decay_per_day, updated_at)
    select c.customer_id, c.score_id, c.version,
           sum(c.points * power(d."decayPerDay",
               (extract(epoch from c.as_of) - extract(epoch from c.t)) * 1000 / ${DAY_MS}::float8)),
           c.as_of, d."decayPerDay", now()
      from c join decay d on d."scoreId" = c.score_id and d.version = c.version
     group by c.customer_id, c.score_id, c.version, c.as_of, d."decayPerDay"`);
}
