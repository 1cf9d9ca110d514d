import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { describeFailure } from '../../db/safe-error';
import {
  findStoredScore,
  listScores,
  loadScoreCatalogue,
  publishScore,
  ScoreDefinitionError,
  scoreVersionsOf,
  type ScoreRow,
} from '../../audience';
import { errorResponseSchema } from '../../contract/common';
import {
  scoreDefinitionInputSchema,
  scoreDetailSchema,
  scoreListSchema,
  scoreParamsSchema,
  scorePublishedSchema,
  scoreRecomputeSchema,
  type ScoreSummary,
} from '../../contract/scores';
import { isTemporalUnavailable } from '../../routing/temporal-call';
import {
  ensureScoreSchedule,
  ScoreScheduleMissingError,
  triggerScoreRecompute,
} from '../../runtime/score-schedule';
import type { ApiDeps } from '../deps';
import { ApiError, temporalUnavailable } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

/** How long the route waits for the schedule to show the run it was asked for. */
const RUN_SHOWN_WAIT_MS = 5_000;

export const scoreRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/scores',
    {
      schema: {
        tags: ['scores'],
        summary: 'Publish a score definition as its next immutable version',
        description:
          'Creates version 1, or the next version of an existing score id (which keeps its kind). ' +
          'A decaying version is counted live by the router at once and backfilled from the event ' +
          'history in the background; segments, profiles and journeys read it once that is done ' +
          '(`active` false until then), and segments reading the score are computed again. A ' +
          'profile_quality version is read at once; an rfm version holds values after its next ' +
          'recompute: a new rfm score gets its Temporal Schedule here, which runs at once (should ' +
          'Temporal not answer, the next worker to start makes it).',
        security: bearerSecurity,
        body: scoreDefinitionInputSchema,
        response: { 201: scorePublishedSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      try {
        const published = await publishScore(deps.db, request.body);
        // The router backfills a new decaying version between batches: wake it.
        if (!published.active) deps.outboxSignal?.notify();
        if (published.kind === 'rfm') await scheduleRecompute(published.id, request.log);
        return reply.code(201).send(published);
      } catch (error) {
        if (error instanceof ScoreDefinitionError) throw refusedDefinition(error);
        throw error;
      }
    },
  );

  /**
   * The score is stored whatever Temporal says (a publish is not undone for want of a schedule):
   * a failure is logged, and every worker ensures the schedules of the catalogue as it starts.
   */
  async function scheduleRecompute(scoreId: string, log: FastifyBaseLogger): Promise<void> {
    const timeoutMs = deps.temporalTimeoutMs ?? 5_000;
    await deps.temporal
      .withDeadline(Date.now() + timeoutMs, () =>
        ensureScoreSchedule(deps.temporal, scoreId, {
          taskQueue: deps.taskQueue,
          ...(deps.scoreRecomputeIntervalMs ? { intervalMs: deps.scoreRecomputeIntervalMs } : {}),
        }),
      )
      .catch((error: unknown) =>
        log.warn(
          { scoreId, error: describeFailure(error) },
          'the score is published, but its recompute schedule could not be made now',
        ),
      );
  }

  app.get(
    '/scores',
    {
      schema: {
        tags: ['scores'],
        summary: 'List scores (built-in and published) with their active version',
        security: bearerSecurity,
        response: { 200: scoreListSchema, ...authErrors },
      },
    },
    async () => ({ scores: (await listScores(deps.db)).map(summaryView) }),
  );

  app.get(
    '/scores/:id',
    {
      schema: {
        tags: ['scores'],
        summary: 'Read a score with every version of its definition',
        security: bearerSecurity,
        params: scoreParamsSchema,
        response: { 200: scoreDetailSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const row = await findStoredScore(deps.db, request.params.id);
      if (!row) throw scoreNotFound();
      const versions = await scoreVersionsOf(deps.db, row.id);
      return {
        ...summaryView(row),
        versions: versions.map((v) => ({
          version: v.version,
          definition: v.definition,
          createdAt: iso(v.createdAt),
        })),
      };
    },
  );

  app.post(
    '/scores/:id/recompute',
    {
      schema: {
        tags: ['scores'],
        summary: 'Recompute a scheduled score (rfm) for every customer now',
        description:
          "Triggers the score's Temporal Schedule (created by each worker as it starts) as " +
          '`temporal schedule trigger` does, with its overlap policy: a recompute already running ' +
          'is named instead of a second one started. Answers the run’s workflow id.',
        security: bearerSecurity,
        params: scoreParamsSchema,
        response: {
          202: scoreRecomputeSchema,
          ...authErrors,
          404: errorResponseSchema,
          409: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const definition = (await loadScoreCatalogue(deps.db)).find(request.params.id);
      if (definition?.kind !== 'rfm') throw scoreNotRecomputed();
      try {
        const triggered = await triggerScoreRecompute(deps.temporal, {
          scoreId: request.params.id,
          taskQueue: deps.taskQueue,
          waitMs: RUN_SHOWN_WAIT_MS,
          callTimeoutMs: deps.temporalTimeoutMs ?? 5_000,
        });
        return reply.code(202).send(triggered);
      } catch (error) {
        if (error instanceof ScoreScheduleMissingError) throw scheduleMissing();
        if (isTemporalUnavailable(error)) throw temporalUnavailable();
        throw error;
      }
    },
  );
  done();
};

function summaryView(row: ScoreRow): ScoreSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    activeVersion: row.activeVersion,
    latestVersion: row.latestVersion,
    backfilled: row.activeVersion === row.latestVersion,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function scoreNotFound(): ApiError {
  return new ApiError(404, 'score_not_found', 'no score with this id', [
    { path: 'id', message: 'no score with this id' },
  ]);
}

function refusedDefinition(error: ScoreDefinitionError): ApiError {
  return new ApiError(400, 'validation_failed', 'invalid request body', [
    { path: error.path, message: error.reason },
  ]);
}

function scoreNotRecomputed(): ApiError {
  return new ApiError(404, 'score_not_found', 'no score recomputed on a schedule has this id', [
    { path: 'id', message: 'no score recomputed on a schedule has this id (rfm is)' },
  ]);
}

function scheduleMissing(): ApiError {
  return new ApiError(
    409,
    'schedule_not_found',
    'the score has no schedule yet: a worker creates it when it starts',
  );
}
