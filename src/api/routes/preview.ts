import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import {
  DEFAULT_PREVIEW_HORIZON,
  MAX_PREVIEW_HORIZON,
  previewParamsSchema,
  previewRequestSchema,
  previewResultSchema,
} from '../../contract/preview';
import { previewJourney, type PreviewRefusal } from '../../preview/preview-journey';
import type { ApiDeps } from '../deps';
import {
  ApiError,
  customerNotFound,
  invalidRunKey,
  journeyNotFound,
  journeyVersionNotFound,
} from '../errors';
import { authErrors, bearerSecurity } from '../route-support';

export const previewRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/journeys/:id/preview',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Preview what a journey version would send a customer, and when',
        description:
          'Runs the journey on a virtual clock from `start` (default now) for `horizon` ' +
          `(default ${DEFAULT_PREVIEW_HORIZON}, at most ${MAX_PREVIEW_HORIZON}): every message it ` +
          'would send with its time, every decision on the way with the values conditions saw, and ' +
          'how the run ends. Give a stored `customerId` (its profile is read as a run reads it) or ' +
          'a `profile` (hasEmail, hasPhone, consent, attributes, lastEngagedAt); optionally the ' +
          "trigger's properties and `events` the customer sends after a delay. `version` defaults to " +
          'the active one. Nothing is stored or sent; sends are assumed to go out.',
        security: bearerSecurity,
        params: previewParamsSchema,
        body: previewRequestSchema,
        response: {
          200: previewResultSchema,
          ...authErrors,
          404: errorResponseSchema,
          422: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const outcome = await previewJourney(
        {
          db: deps.db,
          defaultTimeZone: deps.defaultTimeZone,
          ...(deps.defaultSendWindow ? { defaultSendWindow: deps.defaultSendWindow } : {}),
        },
        request.params.id,
        request.body,
        new Date(),
      );
      if (outcome.kind === 'previewed') return outcome.result;
      if (outcome.refusal.reason === 'simulation_failed') {
        // The cause may quote the journey or profile; the log gets its kind only.
        const error = outcome.refusal.error;
        request.log.warn(
          { err: { name: error instanceof Error ? error.name : 'unknown' } },
          'preview failed',
        );
      }
      throw refusalError(outcome.refusal);
    },
  );
  done();
};

function refusalError(refusal: PreviewRefusal): ApiError {
  switch (refusal.reason) {
    case 'journey_not_found':
      return journeyNotFound();
    case 'version_not_found':
      return journeyVersionNotFound();
    case 'customer_not_found':
      return customerNotFound('customerId');
    case 'invalid_key':
      return invalidRunKey(refusal.message);
    case 'simulation_failed':
      return new ApiError(
        422,
        'preview_failed',
        'the journey did not settle on this input (a loop of steps without a wait) or failed',
      );
  }
}
