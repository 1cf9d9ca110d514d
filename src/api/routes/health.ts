import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseAnswers } from '../../db/ping';
import { countUnknownDeliveries } from '../../deliveries/unknown-deliveries';
import type { ApiDeps } from '../deps';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  /** Messages whose provider side is unknown (GET /v1/deliveries?status=unknown lists them). */
  unknownDeliveries: z.number().int().nonnegative().nullable(),
});

/** Liveness and database reachability; public, for load balancers. */
export const healthRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness, database reachability and unknown deliveries (no authentication)',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      if (!(await databaseAnswers(deps.db))) {
        return reply
          .code(503)
          .send({ status: 'degraded', database: 'down', unknownDeliveries: null });
      }
      const unknownDeliveries = await countUnknownDeliveries(deps.db).catch(() => null);
      return { status: 'ok' as const, database: 'ok' as const, unknownDeliveries };
    },
  );
  done();
};
