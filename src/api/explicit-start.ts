import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { StartRunRequest } from '../contract/runs';
import { evaluateConditionGroup } from '../journeys/conditions';
import type { JourneyEvent } from '../journeys/run-types';
import type { JourneyDefinition, ReEntry } from '../journeys/schema';
import { journeyWorkflowId } from '../journeys/workflow-id';
import { activeJourney } from '../routing/active-journeys';
import { profileSnapshot } from '../routing/profile';
import { findRunningRun, markRunEnded } from '../routing/run-registry';
import { startJourneyRun, type StartOutcome, type StartRequest } from '../routing/start-run';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { routingDeps } from './routing-deps';
import { requireCustomer } from './routes/customers';

/**
 * POST /v1/journeys/:id/runs: the same start function as trigger routing, fed a synthetic
 * trigger event (so trigger.* paths read the given properties) and never signalling a run that
 * is already going.
 */
export async function startExplicitRun(
  deps: ApiDeps,
  log: FastifyBaseLogger,
  journeyId: string,
  body: StartRunRequest,
): Promise<StartOutcome> {
  const journey = await activeJourney(deps.db, journeyId);
  if (!journey) {
    throw new ApiError(404, 'journey_not_found', 'no journey with this id', [
      { path: 'id', message: 'no journey with this id' },
    ]);
  }
  if (journey.status !== 'active')
    throw new ApiError(409, 'journey_not_active', `the journey is ${journey.status}`);
  const customer = await requireCustomerField(deps, body.customerId);
  const { definition } = journey;
  const key = runKey(definition.reEntry, body.key);
  const trigger = explicitTrigger(definition, body, key);
  const when = definition.trigger?.when;
  if (when) {
    const result = evaluateConditionGroup(
      when,
      { profile: profileSnapshot(customer), trigger, event: trigger },
      Date.now(),
    );
    if (!result.passed) {
      const issues = result.outcomes
        .filter((o) => !o.passed)
        .map((o) => ({
          path: o.field,
          message: `"${o.op}" condition not met${o.missing ? ' (field missing)' : ''}`,
        }));
      throw new ApiError(
        422,
        'trigger_conditions_not_met',
        "the start does not satisfy the journey's trigger conditions",
        issues,
      );
    }
  }
  const request: StartRequest = {
    journeyId: journey.journeyId,
    version: journey.version,
    definition,
    customerId: customer.id,
    key,
    trigger,
    signalIfRunning: false,
  };
  return startOrUnavailable(deps, log, request);
}

async function requireCustomerField(deps: ApiDeps, customerId: string) {
  try {
    return await requireCustomer(deps.db, customerId);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new ApiError(404, 'customer_not_found', 'no customer with this id', [
      { path: 'customerId', message: 'no customer with this id' },
    ]);
  }
}

function runKey(reEntry: ReEntry, key: string | undefined): string | null {
  if (reEntry.mode === 'keyed' && key === undefined) {
    throw new ApiError(400, 'validation_failed', 'invalid request body', [
      { path: 'key', message: `required: the journey is keyed by "${reEntry.key}"` },
    ]);
  }
  if (reEntry.mode !== 'keyed' && key !== undefined) {
    throw new ApiError(400, 'validation_failed', 'invalid request body', [
      { path: 'key', message: 'the journey is not keyed' },
    ]);
  }
  return key ?? null;
}

function explicitTrigger(
  definition: JourneyDefinition,
  body: StartRunRequest,
  key: string | null,
): JourneyEvent {
  const properties = { ...(body.properties ?? {}) };
  const reEntry = definition.reEntry;
  if (key !== null && reEntry.mode === 'keyed' && properties[reEntry.key] === undefined)
    properties[reEntry.key] = key;
  return {
    id: `start:${randomUUID()}`,
    type: definition.trigger?.event ?? 'journey_started',
    customerId: body.customerId,
    occurredAt: new Date().toISOString(),
    properties,
  };
}

async function startOrUnavailable(
  deps: ApiDeps,
  log: FastifyBaseLogger,
  request: StartRequest,
): Promise<StartOutcome> {
  try {
    return await startJourneyRun(routingDeps(deps, log), request);
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
    log.warn(
      { err: { name: error instanceof Error ? error.name : 'unknown' } },
      'explicit start failed',
    );
    throw temporalUnavailable();
  }
}

export function temporalUnavailable(): ApiError {
  return new ApiError(503, 'temporal_unavailable', 'Temporal did not answer; try again shortly');
}
