import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseAnswers } from '../../db/ping';
import type { ApiDeps } from '../deps';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
});

/** Liveness and database reachability; public, for load balancers. */
export const healthRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability (no authentication)',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      if (await databaseAnswers(deps.db)) return { status: 'ok' as const, database: 'ok' as const };
      return reply.code(503).send({ status: 'degraded', database: 'down' });
    },
  );
  done();
};
