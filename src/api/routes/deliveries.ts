import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  deliveriesByStatusQuerySchema,
  deliveryListQuerySchema,
  deliveryListSchema,
  type Delivery,
} from '../../contract/deliveries';
import type { DeliveryRow } from '../../deliveries/delivery-row';
import { listCustomerDeliveries } from '../../deliveries/customer-deliveries';
import { listUnknownDeliveries } from '../../deliveries/unknown-deliveries';
import type { ApiDeps } from '../deps';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';
import { requireCustomer } from './customers';

export const deliveryRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.get(
    '/customers/:id/deliveries',
    {
      schema: {
        tags: ['deliveries'],
        summary: "A customer's deliveries, newest first, with status and machine-readable reason",
        security: bearerSecurity,
        params: customerParamsSchema,
        querystring: deliveryListQuerySchema,
        response: { 200: deliveryListSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      await requireCustomer(deps.db, request.params.id);
      const rows = await listCustomerDeliveries(deps.db, request.params.id, request.query.limit);
      return { deliveries: rows.map(deliveryView) };
    },
  );
  app.get(
    '/deliveries',
    {
      schema: {
        tags: ['deliveries'],
        summary: 'Deliveries whose outcome is unknown (a worker died mid-send), newest first',
        description:
          'The provider may or may not have these messages: the attempt that claimed each one ' +
          "ended before it recorded the provider's answer, and its step's onUnknown was skip. " +
          'GET /health counts them.',
        security: bearerSecurity,
        querystring: deliveriesByStatusQuerySchema,
        response: { 200: deliveryListSchema, ...authErrors },
      },
    },
    async (request) => {
      const rows = await listUnknownDeliveries(deps.db, request.query.limit);
      return { deliveries: rows.map(deliveryView) };
    },
  );
  done();
};

function deliveryView(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    journeyId: row.journeyId,
    journeyVersion: row.journeyVersion,
    workflowId: row.workflowId,
    stepId: row.stepId,
    channel: row.channel,
    messageKind: row.messageKind,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    providerMessageId: row.providerMessageId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    sentAt: isoOrNull(row.sentAt),
  };
}
