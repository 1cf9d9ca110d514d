import { evaluateConditionGroup } from './conditions';
import { matchMismatch } from './event-match';
import { record, scopeOf, type RunContext } from './run-context';
import type { JourneyEvent } from './run-types';
import type { ConditionGroup, EventMatch } from './schema';
import { outcomesDetail, outcomesSummary } from './trace';

/** A journey-level rule on an event: exitOn and goal. */
export interface EventRule {
  event: string;
  match?: EventMatch;
  when?: ConditionGroup;
}

/**
 * Whether an event of the rule's type is one the rule applies to: about this run's key (when
 * the rule has a match) and meeting its conditions. When it is not, the trace says why.
 */
export function ruleApplies(
  ctx: RunContext,
  rule: EventRule,
  event: JourneyEvent,
  label: string,
): boolean {
  const scope = scopeOf(ctx, event);
  if (rule.match) {
    const mismatch = matchMismatch(rule.match, ctx.definition.reEntry, event, scope);
    if (mismatch) {
      record(ctx, {
        kind: 'condition',
        summary: `${label} not about this run: ${mismatch}`,
        detail: { eventId: event.id, match: rule.match.key },
      });
      return false;
    }
  }
  if (!rule.when) return true;
  const result = evaluateConditionGroup(rule.when, scope, ctx.now);
  if (!result.passed) {
    record(ctx, {
      kind: 'condition',
      summary: `${label} conditions not met: ${outcomesSummary(result.outcomes, rule.when.match ?? 'all')}`,
      detail: { eventId: event.id, outcomes: outcomesDetail(result.outcomes) },
    });
  }
  return result.passed;
}
