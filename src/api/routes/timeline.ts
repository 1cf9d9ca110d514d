import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import { timelineQuerySchema, timelineSchema } from '../../contract/timeline';
import { loadCustomerTimeline } from '../../timeline/load-timeline';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity } from '../route-support';

/** Running runs answer the state query within this, or the timeline shows their stored trace. */
const LIVE_TIMEOUT_MS = 1_500;

export const timelineRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.get(
    '/customers/:id/timeline',
    {
      schema: {
        tags: ['customers'],
        summary: "Why a customer did or didn't get a message: everything that happened, in order",
        description:
          'Events, runs entered and exited, every decision with the values it saw, deliveries with ' +
          'status, skip reason and engagement, and conversions, oldest first. At equal times ' +
          "events come first, then runs' items, then other deliveries, then conversions; a run's " +
          'deliveries, entry and exit are placed by its own decisions. No addresses or content.',
        security: bearerSecurity,
        params: customerParamsSchema,
        querystring: timelineQuerySchema,
        response: { 200: timelineSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const { since, until, limit } = request.query;
      const timeline = await loadCustomerTimeline(
        {
          db: deps.db,
          live: {
            temporal: deps.temporal,
            timeoutMs: Math.min(deps.temporalTimeoutMs ?? 5_000, LIVE_TIMEOUT_MS),
          },
        },
        request.params.id,
        {
          since: since ? new Date(since) : null,
          until: until ? new Date(until) : null,
          limit,
        },
      );
      if (!timeline) {
        throw new ApiError(404, 'customer_not_found', 'no customer with this id', [
          { path: 'id', message: 'no customer with this id' },
        ]);
      }
      return timeline;
    },
  );
  done();
};
