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
  cancelRunsResultSchema,
  cancelRunsSchema,
  RUN_BATCH_LIMIT,
  runDetailSchema,
  runListSchema,
  startRunBatchResultSchema,
  startRunBatchSchema,
  startRunResultSchema,
  startRunSchema,
  type RunRecord,
} from '../../contract/runs';
import { startExplicitRuns } from '../../routing/bulk-start';
import { cancelJourneyRunsPage, cancelRun, cancelRunsById } from '../../routing/cancel-runs';
import { startExplicitRun, type StartRefusal } from '../../routing/explicit-start';
import { findLatestRun, listCustomerRuns, type RunRow } from '../../routing/run-registry';
import { stateQuery } from '../../workflows/messages';
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
import { batchCounts, batchItemResult } from '../run-batch-results';
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
      const rdeps = routingDeps(deps, request.log);
      const outcome = await cancelRun(rdeps, workflowId, request.body.reason);
      if (outcome === 'not_found') throw runNotFound();
      if (outcome === 'not_running')
        throw new ApiError(409, 'run_not_running', 'the run has already ended');
      if (outcome === 'temporal_unavailable') throw temporalUnavailable();
      return reply.code(202).send({ workflowId, cancelRequested: true });
    },
  );

  app.post(
    '/journeys/:id/runs/batch',
    {
      schema: {
        tags: ['runs'],
        summary: `Start up to ${RUN_BATCH_LIMIT} runs of a journey, each as the single start`,
        description:
          'Each item is answered in order with the outcome the single start would give: started, ' +
          'already_running, blocked (re-entry rule) or refused (reason, with issues naming ' +
          "items.N.field). 200 whatever the items' outcomes; 404/409 when the journey itself " +
          'refuses starts. Items run concurrently; when Temporal does not answer, the items not ' +
          'yet begun are refused temporal_unavailable at once (nothing stored for them).',
        security: bearerSecurity,
        params: journeyParamsSchema,
        body: startRunBatchSchema,
        response: { 200: startRunBatchResultSchema, ...errors },
      },
    },
    async (request) => {
      const result = await startExplicitRuns(
        routingDeps(deps, request.log),
        request.params.id,
        request.body.items,
      );
      if (result.kind === 'refused') throw refusalError(result.refusal);
      const items = result.items.map(batchItemResult);
      return { items, counts: batchCounts(items) };
    },
  );

  app.post(
    '/runs/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: "Cancel many runs: by workflow id, or a journey's running runs page by page",
        description:
          `Give workflowIds (up to ${RUN_BATCH_LIMIT}) or journeyId. With journeyId, one page ` +
          `(limit, default ${RUN_BATCH_LIMIT}) of the journey's running runs ordered by workflow id ` +
          "is cancelled; pass the answer's next as after for the following page until next is " +
          'null. Each run is answered: cancel_requested, not_running, not_found or ' +
          'temporal_unavailable (when Temporal stops answering, the rest are answered so at once).',
        security: bearerSecurity,
        body: cancelRunsSchema,
        response: { 200: cancelRunsResultSchema, ...authErrors },
      },
    },
    async (request) => {
      const rdeps = routingDeps(deps, request.log);
      const { workflowIds, journeyId, after, limit, reason } = request.body;
      if (workflowIds)
        return { items: await cancelRunsById(rdeps, workflowIds, reason), next: null };
      return cancelJourneyRunsPage(rdeps, journeyId!, {
        limit: limit ?? RUN_BATCH_LIMIT,
        ...(after !== undefined ? { after } : {}),
        ...(reason !== undefined ? { reason } : {}),
      });
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
