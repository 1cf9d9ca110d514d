import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import {
  customerParamsSchema,
  errorResponseSchema,
  workflowIdParamsSchema,
} from '../../contract/common';
import { journeyParamsSchema } from '../../contract/journeys';
import {
  cancelRunResultSchema,
  cancelRunSchema,
  runDetailSchema,
  runListSchema,
  startRunResultSchema,
  startRunSchema,
  type RunRecord,
} from '../../contract/runs';
import { reconcileEndedRun } from '../../routing/reconcile';
import { startExplicitRun, type StartRefusal } from '../../routing/explicit-start';
import {
  findLatestRun,
  findRunningRun,
  listCustomerRuns,
  type RunRow,
} from '../../routing/run-registry';
import { isWorkflowNotFound, withTemporalDeadline } from '../../routing/temporal-call';
import { cancelSignal, stateQuery } from '../../workflows/messages';
import type { ApiDeps } from '../deps';
import {
  ApiError,
  customerNotFound,
  invalidRunKey,
  journeyNotFound,
  temporalUnavailable,
} from '../errors';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';
import { routingDeps } from '../routing-deps';
import { requireCustomer } from './customers';

const CUSTOMER_RUNS_LIMIT = 200;

const errors = {
  ...authErrors,
  404: errorResponseSchema,
  409: errorResponseSchema,
  503: errorResponseSchema,
};

export const runRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/journeys/:id/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Start a run for a customer explicitly, honouring the re-entry policy',
        description:
          "properties become the run's trigger.* values (and must satisfy trigger.when). 201: started; " +
          "200: this customer's run (and key) is already running; 409: re-entry policy or paused journey.",
        security: bearerSecurity,
        params: journeyParamsSchema,
        body: startRunSchema,
        response: {
          200: startRunResultSchema,
          201: startRunResultSchema,
          ...errors,
          422: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const outcome = await startExplicitRun(routingDeps(deps, request.log), {
        journeyId: request.params.id,
        ...request.body,
      });
      if (outcome.kind === 'refused') throw refusalError(outcome.refusal);
      if (outcome.kind === 'blocked') {
        throw new ApiError(
          409,
          're_entry_blocked',
          `the re-entry policy does not let this customer enter now (${outcome.rule})`,
        );
      }
      if (outcome.kind === 'started') {
        return reply
          .code(201)
          .send({ workflowId: outcome.workflowId, outcome: 'started', runId: outcome.runId });
      }
      return reply
        .code(200)
        .send({ workflowId: outcome.workflowId, outcome: 'already_running', runId: null });
    },
  );

  app.get(
    '/runs/:workflowId',
    {
      schema: {
        tags: ['runs'],
        summary: 'A run: its registry row and, when Temporal answers, its live state',
        security: bearerSecurity,
        params: workflowIdParamsSchema,
        response: { 200: runDetailSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const row = await findLatestRun(deps.db, request.params.workflowId);
      if (!row) throw runNotFound();
      return { run: runView(row), live: await liveState(deps, row) };
    },
  );

  app.post(
    '/runs/:workflowId/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: 'Cancel a running run at its next decision point',
        security: bearerSecurity,
        params: workflowIdParamsSchema,
        body: cancelRunSchema,
        response: { 202: cancelRunResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { workflowId } = request.params;
      const row = await findRunningRun(deps.db, workflowId);
      if (!row) {
        if (await findLatestRun(deps.db, workflowId))
          throw new ApiError(409, 'run_not_running', 'the run has already ended');
        throw runNotFound();
      }
      await cancelRun(deps, request.log, row, request.body.reason);
      return reply.code(202).send({ workflowId, cancelRequested: true });
    },
  );

  app.get(
    '/customers/:id/runs',
    {
      schema: {
        tags: ['runs'],
        summary: "A customer's runs, newest first",
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: runListSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      await requireCustomer(deps.db, request.params.id);
      const rows = await listCustomerRuns(deps.db, request.params.id, CUSTOMER_RUNS_LIMIT);
      return { runs: rows.map(runView) };
    },
  );
  done();
};

async function cancelRun(
  deps: ApiDeps,
  log: FastifyBaseLogger,
  row: RunRow,
  reason: string | undefined,
) {
  const rdeps = routingDeps(deps, log);
  try {
    const handle = deps.temporal.workflow.getHandle(row.workflowId);
    await withTemporalDeadline(rdeps, () => handle.signal(cancelSignal, reason ? { reason } : {}));
  } catch (error) {
    if (!isWorkflowNotFound(error)) throw temporalUnavailable();
    await reconcileEndedRun(rdeps, row);
    throw new ApiError(409, 'run_not_running', 'the run has already ended');
  }
}

async function liveState(deps: ApiDeps, row: RunRow): Promise<Record<string, unknown> | null> {
  try {
    const handle = deps.temporal.workflow.getHandle(row.workflowId, row.temporalRunId ?? undefined);
    const timeout = Math.min(deps.temporalTimeoutMs ?? 5_000, 3_000);
    return (await deps.temporal.withDeadline(Date.now() + timeout, () =>
      handle.query(stateQuery),
    )) as unknown as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The HTTP answer to a start refused before anything was stored or started. */
function refusalError(refusal: StartRefusal): ApiError {
  switch (refusal.reason) {
    case 'journey_not_found':
      return journeyNotFound();
    case 'journey_not_active':
      return new ApiError(409, 'journey_not_active', `the journey is ${refusal.status}`);
    case 'customer_not_found':
      return customerNotFound('customerId');
    case 'invalid_key':
      return invalidRunKey(refusal.message);
    case 'trigger_conditions_not_met':
      return new ApiError(
        422,
        'trigger_conditions_not_met',
        "the start does not satisfy the journey's trigger conditions",
        refusal.outcomes.map((o) => ({
          path: o.field,
          message: `"${o.op}" condition not met${o.missing ? ' (field missing)' : ''}`,
        })),
      );
    case 'temporal_unavailable':
      return temporalUnavailable();
  }
}

function runNotFound(): ApiError {
  return new ApiError(404, 'run_not_found', 'no run with this workflow id', [
    { path: 'workflowId', message: 'no run with this workflow id' },
  ]);
}

export function runView(row: RunRow): RunRecord {
  return {
    workflowId: row.workflowId,
    temporalRunId: row.temporalRunId,
    journeyId: row.journeyId,
    journeyVersion: row.journeyVersion,
    customerId: row.customerId,
    key: row.runKey,
    status: row.status,
    finishReason: row.finishReason,
    listensTo: row.listensTo,
    triggerEventId: row.triggerEventId,
    startedAt: iso(row.startedAt),
    endedAt: isoOrNull(row.endedAt),
  };
}
