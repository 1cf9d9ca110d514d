import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { conversionQuerySchema, conversionReportSchema } from '../../contract/conversions';
import { conversionReport } from '../../conversions/conversion-report';
import type { ApiDeps } from '../deps';
import { authErrors, bearerSecurity } from '../route-support';

export const conversionRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.get(
    '/conversions',
    {
      schema: {
        tags: ['conversions'],
        summary: 'Conversions and revenue per journey, version, step and channel',
        description:
          "Goal events credited to the messages that preceded them within the journey's " +
          'attribution window, under one model (last_touch by default; first_touch, linear, ' +
          "time_decay). conversions is the sum of the messages' shares; revenue is per currency.",
        security: bearerSecurity,
        querystring: conversionQuerySchema,
        response: { 200: conversionReportSchema, ...authErrors },
      },
    },
    async (request) => {
      const { since, until, ...filter } = request.query;
      return conversionReport(deps.db, {
        ...filter,
        ...(since ? { since: new Date(since) } : {}),
        ...(until ? { until: new Date(until) } : {}),
      });
    },
  );
  done();
};
