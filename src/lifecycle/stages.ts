import {
  segmentConditionSchema,
  type SegmentCondition,
  type SegmentConditionInput,
} from '../segments/schema';

/**
 * Lifecycle stages: one canonical, ordered list. Each stage is a rule in the segment condition
 * language, and the first stage whose rule matches is the customer's stage (so the order is the
 * order of precedence: a lapsed big spender is at_risk, not vip). The router keeps each
 * customer's stage live like segment membership (src/audience/lifecycle-stages.ts), and a change
 * is a `lifecycle_changed` event { from, to } that journeys can trigger on.
 *
 * The seed documents name stages inconsistently (prospect, new, new_subscriber, new_customer,
 * active, active_customer, customer, inactive, lapsed, vip, "unclassified"); each name they use
 * is an alias of exactly one canonical stage below. Conditions take the canonical id only, and a
 * segment naming an alias is refused with the id to use.
 */

export const LIFECYCLE_CHANGED = 'lifecycle_changed';

export interface LifecycleStage {
  id: string;
  name: string;
  description: string;
  /** Other names for this stage (seed documents, other tools); never used as ids. */
  aliases: readonly string[];
  where: SegmentCondition;
}

const stage = (
  id: string,
  name: string,
  description: string,
  aliases: string[],
  where: SegmentConditionInput,
): LifecycleStage => ({
  id,
  name,
  description,
  aliases,
  where: segmentConditionSchema.parse(where),
});

const boughtBefore: SegmentConditionInput = { performed: { event: 'purchase' } };

export const lifecycleStages: readonly LifecycleStage[] = [
  stage(
    'churned',
    'Churned',
    'Bought before; no purchase in the last 180 days.',
    ['lapsed', 'lost', 'churn'],
    { all: [boughtBefore, { notPerformed: { event: 'purchase', within: '180d' } }] },
  ),
  stage(
    'at_risk',
    'At risk',
    'Bought before; no purchase in the last 60 days.',
    ['inactive', 'dormant', 'at-risk'],
    { all: [boughtBefore, { notPerformed: { event: 'purchase', within: '60d' } }] },
  ),
  stage(
    'vip',
    'VIP',
    'A lifetime value of 1,000 or more (profile.lifetime_value), and not at risk or churned.',
    ['loyal', 'champion', 'high_value', 'high_value_customer'],
    { profile: { field: 'lifetime_value', op: 'gte', value: 1000 } },
  ),
  stage(
    'active',
    'Active',
    'Two or more purchases, the latest within 60 days (else at risk).',
    ['active_customer', 'customer', 'repeat_customer', 'returning'],
    { performed: { event: 'purchase', count: { atLeast: 2 } } },
  ),
  stage(
    'new_customer',
    'New customer',
    'One purchase, within the last 60 days (else at risk).',
    ['new', 'first_time_buyer', 'first_purchase'],
    boughtBefore,
  ),
  stage(
    'prospect',
    'Prospect',
    'Known, but has never bought: signed up, subscribed or was imported.',
    ['lead', 'new_subscriber', 'subscriber', 'signup', 'unclassified'],
    { notPerformed: { event: 'purchase' } },
  ),
];

const byId = new Map(lifecycleStages.map((s) => [s.id, s]));
const byAlias = new Map(lifecycleStages.flatMap((s) => s.aliases.map((alias) => [alias, s])));

export function findLifecycleStage(id: string): LifecycleStage | undefined {
  return byId.get(id);
}

/** The canonical stage a name stands for: the id itself, or an alias of it. */
export function canonicalStage(name: string): LifecycleStage | undefined {
  return byId.get(name) ?? byAlias.get(name);
}

/**
 * The first stage of `stages` whose rule passes, by index; null when none does. `passes` is the
 * evaluator (the pure evaluateSegment in tests and previews, SQL in the router).
 */
export function firstMatchingStage(
  stages: readonly LifecycleStage[],
  passes: (where: SegmentCondition) => boolean,
): LifecycleStage | null {
  return stages.find((s) => passes(s.where)) ?? null;
}
