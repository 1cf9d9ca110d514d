import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import { scoreParamsSchema, scoreRecomputeSchema } from '../../contract/scores';
import { isTemporalUnavailable } from '../../routing/temporal-call';
import { ScoreScheduleMissingError, triggerScoreRecompute } from '../../runtime/score-schedule';
import { findScore } from '../../scores';
import type { ApiDeps } from '../deps';
import { ApiError, temporalUnavailable } from '../errors';
import { authErrors, bearerSecurity } from '../route-support';

/** How long the route waits for the schedule to show the run it was asked for. */
const RUN_SHOWN_WAIT_MS = 5_000;

export const scoreRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
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
      if (findScore(request.params.id)?.kind !== 'rfm') throw scoreNotRecomputed();
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
