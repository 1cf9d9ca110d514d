import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import type { JsonObject } from '../journeys/run-types';
import {
  applicationsOf,
  attributeChanges,
  builtInProfileRules,
  type ProfileRule,
  type RuleApplication,
  type RuleEvent,
} from '../lifecycle/profile-rules';
import type { AudienceEvent, AudienceUpkeep } from '../routing/types';
import { historyOnlyCustomers } from './history-cause';
import { requestProfileChecks } from './live-membership';

export interface ProfileRulesOptions {
  db: Database;
  rules?: readonly ProfileRule[];
  clock?: () => Date;
}

/**
 * The declared profile update rules, as the first part of the audience pass: for a claimed batch,
 * in one transaction, (1) claim each (rule, event) pair not applied before — a row per pair, so
 * a replayed event or the same batch handed in again finds nothing left to do, (2) lock the
 * customers concerned and fold the claimed events into their attributes (pure code,
 * src/lifecycle), (3) write the changed attributes, and (4) have the segments and the lifecycle
 * stage that read the profile look at those customers again. Four statements, whatever the size
 * of the batch. Returns the number of customers whose attributes changed.
 */
export function profileRules(options: ProfileRulesOptions): AudienceUpkeep {
  const rules = options.rules ?? builtInProfileRules;
  const clock = options.clock ?? (() => new Date());
  const types = new Set(rules.map((rule) => rule.event));
  return {
    async forEvents(batch: readonly AudienceEvent[]): Promise<number> {
      const relevant = batch.filter((event) => types.has(event.type)).map(ruleEvent);
      const wanted = applicationsOf(rules, relevant);
      if (wanted.length === 0) return 0;
      return options.db.transaction(async (tx) => {
        const claimed = await claimApplications(tx, wanted);
        if (claimed.length === 0) return 0;
        const changed = await applyToProfiles(tx, claimed);
        const fromHistory = historyOnlyCustomers(batch);
        const [history, live] = [
          changed.filter((id) => fromHistory.has(id)),
          changed.filter((id) => !fromHistory.has(id)),
        ];
        await requestProfileChecks(tx, live, clock());
        await requestProfileChecks(tx, history, clock(), true);
        return changed.length;
      });
    },
    upkeep: () => Promise.resolve(0),
  };
}

function ruleEvent(event: AudienceEvent): RuleEvent {
  const properties = event.properties;
  return {
    id: event.id,
    customerId: event.customerId,
    type: event.type,
    occurredAt: event.occurredAt.getTime(),
    properties:
      typeof properties === 'object' && properties !== null && !Array.isArray(properties)
        ? (properties as JsonObject)
        : {},
  };
}

/** The applications not made before, now recorded as made (in the caller's transaction). */
async function claimApplications(
  db: Database,
  wanted: RuleApplication[],
): Promise<RuleApplication[]> {
  const rows = rowsOf<{ rule_id: string; event_id: string }>(
    await db.execute(sql`
      insert into profile_rule_applications (rule_id, event_id, customer_id)
      select a.rule_id, a.event_id, a.customer_id
        from unnest(${sql.param(wanted.map((a) => a.rule.id))}::text[],
                    ${sql.param(wanted.map((a) => a.event.id))}::text[],
                    ${sql.param(wanted.map((a) => a.event.customerId))}::text[])
             as a(rule_id, event_id, customer_id)
      on conflict (rule_id, event_id) do nothing
      returning rule_id, event_id`),
  );
  const fresh = new Set(rows.map((row) => `${row.rule_id}\u0000${row.event_id}`));
  return wanted.filter((a) => fresh.has(`${a.rule.id}\u0000${a.event.id}`));
}

/** Folds the applications into each customer's attributes; returns the customers changed. */
async function applyToProfiles(db: Database, applications: RuleApplication[]): Promise<string[]> {
  const ids = [...new Set(applications.map((a) => a.event.customerId))].sort();
  // Row locks in id order: a concurrent attribute update waits, and two passes never deadlock.
  const current = rowsOf<{ id: string; attributes: JsonObject }>(
    await db.execute(sql`
      select id, attributes from customers
       where id = any(${sql.param(ids)}::text[]) order by id for update`),
  );
  const changes = current.flatMap((row) => {
    // Events of a customer in time order, so latest_time and sums read the same in any batch.
    const own = applications
      .filter((a) => a.event.customerId === row.id)
      .sort((a, b) => a.event.occurredAt - b.event.occurredAt);
    const set = attributeChanges(row.attributes, own);
    return Object.keys(set).length === 0 ? [] : [{ id: row.id, set }];
  });
  if (changes.length === 0) return [];
  await db.execute(sql`
    update customers c
       set attributes = c.attributes || x.set, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x(id text, set jsonb)
     where c.id = x.id`);
  return changes.map((change) => change.id);
}
