import { finish, type RunContext } from './run-context';
import type { JourneyEvent, Transition } from './run-types';
import { ruleApplies } from './rule-applies';

/** exitOn: the first rule that applies to the event ends the run, whatever the current step. */
export function checkExitOn(ctx: RunContext, event: JourneyEvent): Transition | null {
  for (const rule of ctx.definition.exitOn ?? []) {
    if (rule.event !== event.type) continue;
    if (ruleApplies(ctx, rule, event, `exitOn ${rule.event}`)) {
      return finish(ctx, 'exited', 'exit_event', { event: event.type, eventId: event.id });
    }
  }
  return null;
}
