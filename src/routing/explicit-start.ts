import { randomUUID } from 'node:crypto';
import { activeJourney } from '../catalogue/active-journeys';
import { loadScoreCatalogue } from '../audience/score-catalogue';
import { loadProfileSnapshot } from '../customers';
import { evaluateConditionGroup } from '../journeys/conditions';
import type { ConditionOutcome, JourneyEvent, JsonObject } from '../journeys/run-types';
import type { JourneyDefinition, ReEntry } from '../journeys/schema';
import { journeyWorkflowId } from '../journeys/workflow-id';
import { findRunningRun, markRunEnded } from './run-registry';
import { startJourneyRun, type StartOutcome, type StartRequest } from './start-run';
import type { RoutingDeps } from './types';

export interface ExplicitStart {
  journeyId: string;
  customerId: string;
  /** The run key of a keyed journey; required for keyed journeys, refused for others. */
  key?: string;
  /** Properties of the start, visible to conditions as trigger.*. */
  properties?: JsonObject;
}

/** Why an explicit start was refused before anything was stored or started. */
export type StartRefusal =
  | { reason: 'journey_not_found' }
  | { reason: 'journey_not_active'; status: string }
  | { reason: 'customer_not_found' }
  | { reason: 'invalid_key'; message: string }
  | { reason: 'trigger_conditions_not_met'; outcomes: ConditionOutcome[] }
  /** Temporal did not answer; the registry row the start claimed was released. */
  | { reason: 'temporal_unavailable' };

export type ExplicitStartOutcome = StartOutcome | { kind: 'refused'; refusal: StartRefusal };

/**
 * POST /v1/journeys/:id/runs: the same start function as trigger routing, fed a synthetic
 * trigger event (so trigger.* paths read the given properties) and never signalling a run that
 * is already going. Trigger conditions see the snapshot a run sees (src/customers).
 */
export async function startExplicitRun(
  deps: RoutingDeps,
  start: ExplicitStart,
): Promise<ExplicitStartOutcome> {
  // Both reads at once: a start's latency is its round trips, and neither depends on the other.
  const [journey, profile] = await Promise.all([
    activeJourney(deps.db, start.journeyId),
    loadScoreCatalogue(deps.db).then((scores) =>
      loadProfileSnapshot(deps.db, start.customerId, scores),
    ),
  ]);
  if (!journey) return refused({ reason: 'journey_not_found' });
  if (journey.status !== 'active')
    return refused({ reason: 'journey_not_active', status: journey.status });
  if (!profile) return refused({ reason: 'customer_not_found' });
  const { definition } = journey;
  const key = runKeyFor(definition.reEntry, start.key);
  if (key !== null && typeof key === 'object')
    return refused({ reason: 'invalid_key', message: key.invalid });
  const trigger = explicitTrigger(definition, start, key, new Date());
  const when = definition.trigger?.when;
  if (when) {
    const result = evaluateConditionGroup(when, { profile, trigger, event: trigger }, Date.now());
    if (!result.passed) {
      return refused({
        reason: 'trigger_conditions_not_met',
        outcomes: result.outcomes.filter((o) => !o.passed),
      });
    }
  }
  return startOrRelease(deps, {
    journeyId: journey.journeyId,
    version: journey.version,
    definition,
    customerId: start.customerId,
    key,
    trigger,
    signalIfRunning: false,
  });
}

/** The key a start runs under: null for unkeyed journeys, or why the given key is wrong. */
export function runKeyFor(
  reEntry: ReEntry,
  key: string | undefined,
): string | null | { invalid: string } {
  if (reEntry.mode === 'keyed' && key === undefined)
    return { invalid: `required: the journey is keyed by "${reEntry.key}"` };
  if (reEntry.mode !== 'keyed' && key !== undefined) return { invalid: 'the journey is not keyed' };
  return key ?? null;
}

/** The trigger event of a start: the journey's trigger type, with the key among its properties. */
export function explicitTrigger(
  definition: JourneyDefinition,
  start: Pick<ExplicitStart, 'customerId' | 'properties'>,
  key: string | null,
  at: Date,
  id = `start:${randomUUID()}`,
): JourneyEvent {
  const properties = { ...(start.properties ?? {}) };
  const reEntry = definition.reEntry;
  if (key !== null && reEntry.mode === 'keyed' && properties[reEntry.key] === undefined)
    properties[reEntry.key] = key;
  return {
    id,
    type: definition.trigger?.event ?? 'journey_started',
    customerId: start.customerId,
    occurredAt: at.toISOString(),
    properties,
  };
}

async function startOrRelease(
  deps: RoutingDeps,
  request: StartRequest,
): Promise<ExplicitStartOutcome> {
  try {
    return await startJourneyRun(deps, request);
  } catch (error) {
    // No outbox retries an explicit start: release the registry row it claimed, if any.
    const workflowId = journeyWorkflowId(
      request.journeyId,
      request.customerId,
      request.key ?? undefined,
    );
    const row = await findRunningRun(deps.db, workflowId);
    if (row && row.triggerEventId === request.trigger.id && !row.temporalRunId) {
      await markRunEnded(deps.db, row.id, 'failed', 'start_failed');
    }
    deps.logger?.warn(
      { err: { name: error instanceof Error ? error.name : 'unknown' } },
      'explicit start failed',
    );
    return refused({ reason: 'temporal_unavailable' });
  }
}

function refused(refusal: StartRefusal): ExplicitStartOutcome {
  return { kind: 'refused', refusal };
}
