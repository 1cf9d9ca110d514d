import { noteEngagement } from './engagement';
import { checkExitOn } from './exit-on';
import { checkGoal } from './goal';
import { carryOn, record, type RunContext } from './run-context';
import type { JourneyEvent, Transition } from './run-types';

/** How many recent event ids a run remembers to drop redeliveries. */
export const MAX_SEEN_EVENT_IDS = 200;

/**
 * The journey-level part of an event, whatever the current step: the run's own trigger and
 * redeliveries are dropped, opens and clicks are noted, then the goal and the exitOn rules
 * apply (goal first). Returns the transition when one of them decided, or null to offer the
 * event to the current step.
 */
export function onJourneyEvent(ctx: RunContext, event: JourneyEvent): Transition | null {
  // Runs started with signalWithStart (before routing started them plainly) got their trigger
  // as an event as well; the run handled it at entry, so it is dropped without a trace entry.
  if (event.id === ctx.state.trigger?.id) return carryOn(ctx);
  if (ctx.state.seenEventIds.includes(event.id)) {
    record(ctx, {
      kind: 'event_ignored',
      summary: `duplicate ${event.type} event ignored`,
      detail: { eventId: event.id },
    });
    return carryOn(ctx);
  }
  rememberEvent(ctx, event.id);
  noteEngagement(ctx, event);
  return checkGoal(ctx, event) ?? checkExitOn(ctx, event);
}

function rememberEvent(ctx: RunContext, id: string): void {
  const seen = ctx.state.seenEventIds;
  seen.push(id);
  if (seen.length > MAX_SEEN_EVENT_IDS) seen.splice(0, seen.length - MAX_SEEN_EVENT_IDS);
}
