import { evaluateConditionGroup } from '../journeys/conditions';
import type { JourneyEvent, ProfileSnapshot } from '../journeys/run-types';
import { historyWanted, judgeTrigger } from '../journeys/trigger-rule';
import { MissingRunKeyError, runKeyFromTrigger } from '../journeys/workflow-id';
import { eventSignal } from '../workflows/messages';
import type { ActiveJourney } from '../catalogue/active-journeys';
import { reconcileEndedRun } from './reconcile';
import type { EventInterest, ListeningRun } from './routing-interest';
import { startJourneyRun, type StartOutcome } from './start-run';
import { isWorkflowNotFound, withTemporalDeadline } from './temporal-call';
import { loadTriggerHistory } from './trigger-history';
import type { RoutingDeps } from './types';

export interface RoutingSummary {
  started: string[];
  signalled: string[];
  skipped: { journeyId: string; reason: string }[];
}

/**
 * Whether routing needs the customer's profile: only when a trigger has conditions. It is the
 * snapshot a run loads at entry (src/customers), so a trigger condition that starts a run also
 * passes the run's own entry check.
 */
export function needsProfile(interest: EventInterest): boolean {
  return interest.triggers.some((journey) => journey.definition.trigger?.when);
}

/**
 * Routes one stored event whose interest (and profile, when needsProfile) was read already:
 * starts the journeys it triggers, then signals the customer's running runs that listen to its
 * type — or, for an event that names a delivery (an open, a click), only the run that sent that
 * delivery: a click belongs to this cart's run, not another's. Throws when Temporal fails; the
 * event stays in the outbox and every step here is safe to repeat (signals carry the event id,
 * starts are keyed by the trigger event id).
 */
export async function routeWithInterest(
  deps: RoutingDeps,
  event: JourneyEvent,
  interest: EventInterest,
  profile: ProfileSnapshot | null,
): Promise<RoutingSummary> {
  const summary: RoutingSummary = { started: [], signalled: [], skipped: [] };
  let outranking: string | null = null;
  for (const journey of byPriority(interest.triggers)) {
    const competes = journey.definition.trigger?.priority !== undefined;
    if (competes && outranking) {
      summary.skipped.push({ journeyId: journey.journeyId, reason: `outranked_by:${outranking}` });
      continue;
    }
    const before = summary.started.length;
    await routeTrigger(deps, journey, event, profile, summary);
    if (competes && summary.started.length > before) outranking = journey.journeyId;
  }
  await signalListeningRuns(deps, event, interest.runs, summary);
  return summary;
}

async function routeTrigger(
  deps: RoutingDeps,
  journey: ActiveJourney,
  event: JourneyEvent,
  profile: ProfileSnapshot | null,
  summary: RoutingSummary,
): Promise<void> {
  const when = journey.definition.trigger?.when;
  if (when) {
    if (!profile) throw new Error('event customer not found');
    if (!evaluateConditionGroup(when, { profile, trigger: event, event }, Date.now()).passed) {
      summary.skipped.push({ journeyId: journey.journeyId, reason: 'trigger_conditions' });
      return;
    }
  }
  const rule = await judgeRule(deps, journey, event);
  if (rule) {
    summary.skipped.push({ journeyId: journey.journeyId, reason: rule });
    return;
  }
  const key = keyOf(journey, event);
  if (key === false) {
    summary.skipped.push({ journeyId: journey.journeyId, reason: 'missing_key' });
    return;
  }
  const outcome = await startJourneyRun(deps, {
    journeyId: journey.journeyId,
    version: journey.version,
    definition: journey.definition,
    customerId: event.customerId,
    key,
    trigger: event,
    signalIfRunning: true,
  });
  record(summary, journey.journeyId, outcome);
}

/**
 * Journeys whose trigger has a priority first, highest first (equal: journey id order, as they
 * come); the rest after them in their order. Only the former compete (routeWithInterest).
 */
function byPriority(triggers: ActiveJourney[]): ActiveJourney[] {
  const priority = (j: ActiveJourney) => j.definition.trigger?.priority ?? -1;
  return [...triggers].sort((a, b) => priority(b) - priority(a));
}

/**
 * The trigger's behavioural rule (src/journeys/trigger-rule.ts) on the customer's history as
 * stored now; null when it fires, else the reason it does not. A journey without a rule reads
 * nothing.
 */
async function judgeRule(
  deps: RoutingDeps,
  journey: ActiveJourney,
  event: JourneyEvent,
): Promise<string | null> {
  const trigger = journey.definition.trigger;
  if (!trigger) return null;
  const wanted = historyWanted(trigger, event);
  if (!wanted && !trigger.where && !trigger.expiresAfter && !trigger.segment) return null;
  const history = wanted
    ? await loadTriggerHistory(deps.db, { customerId: event.customerId, ...wanted })
    : [];
  const verdict = judgeTrigger(trigger, event, history, Date.now());
  return verdict.fires ? null : `trigger_${verdict.reason}`;
}

/** The run key, null for unkeyed journeys, false when a keyed journey's trigger lacks it. */
function keyOf(journey: ActiveJourney, event: JourneyEvent): string | null | false {
  try {
    return runKeyFromTrigger(journey.definition, event) ?? null;
  } catch (error) {
    if (error instanceof MissingRunKeyError) return false;
    throw error;
  }
}

function record(summary: RoutingSummary, journeyId: string, outcome: StartOutcome): void {
  if (outcome.kind === 'started') summary.started.push(outcome.workflowId);
  else if (outcome.kind === 'already_running' && outcome.signalled)
    summary.signalled.push(outcome.workflowId);
  else if (outcome.kind === 'blocked')
    summary.skipped.push({ journeyId, reason: `re_entry_${outcome.rule}` });
  else summary.skipped.push({ journeyId, reason: 'already_running' });
}

async function signalListeningRuns(
  deps: RoutingDeps,
  event: JourneyEvent,
  runs: ListeningRun[],
  summary: RoutingSummary,
): Promise<void> {
  const handled = new Set([...summary.started, ...summary.signalled]);
  for (const run of runs) {
    if (handled.has(run.workflowId) || run.triggerEventId === event.id) continue;
    if (await signalRun(deps, run, event)) summary.signalled.push(run.workflowId);
  }
}

async function signalRun(
  deps: RoutingDeps,
  run: ListeningRun,
  event: JourneyEvent,
): Promise<boolean> {
  try {
    const handle = deps.temporal.workflow.getHandle(run.workflowId);
    await withTemporalDeadline(deps, () => handle.signal(eventSignal, event));
    return true;
  } catch (error) {
    if (!isWorkflowNotFound(error)) throw error;
    await reconcileEndedRun(deps, run);
    return false;
  }
}
