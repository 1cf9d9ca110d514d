import { requestProfileChecks } from '../../audience';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  deviceListSchema,
  deviceParamsSchema,
  deviceRegistrationResponseSchema,
  deviceRegistrationSchema,
  type Device,
} from '../../contract/devices';
import {
  listTokens,
  registerToken,
  removeCustomerToken,
  type DeviceTokenRow,
} from '../../channels/device-tokens';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';
import { requireCustomer } from './customers';

/** How many trailing characters of a token the API shows. */
const VISIBLE_TOKEN_CHARS = 6;

export const deviceRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.put(
    '/customers/:id/devices/:token',
    {
      schema: {
        tags: ['devices'],
        summary: 'Register a push device token for a customer (or refresh it)',
        description:
          'Idempotent. A token registered to another customer moves to this one: a device ' +
          'receives the notifications of whoever signed in on it last.',
        security: bearerSecurity,
        params: deviceParamsSchema,
        body: deviceRegistrationSchema,
        response: {
          200: deviceRegistrationResponseSchema,
          201: deviceRegistrationResponseSchema,
          ...authErrors,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      await requireCustomer(deps.db, request.params.id);
      const { row, created } = await deps.db.transaction(async (tx) => {
        const registered = await registerToken(tx, {
          customerId: request.params.id,
          token: request.params.token,
          platform: request.body.platform,
        });
        await requestProfileChecks(tx, [request.params.id], new Date());
        return registered;
      });
      return reply.code(created ? 201 : 200).send({ device: deviceView(row), created });
    },
  );

  app.get(
    '/customers/:id/devices',
    {
      schema: {
        tags: ['devices'],
        summary: "A customer's push devices, tokens masked but for their last characters",
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: deviceListSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      await requireCustomer(deps.db, request.params.id);
      const rows = await listTokens(deps.db, request.params.id);
      return { devices: rows.map(deviceView) };
    },
  );

  app.delete(
    '/customers/:id/devices/:token',
    {
      schema: {
        tags: ['devices'],
        summary: 'Unregister a push device token (e.g. on sign-out)',
        security: bearerSecurity,
        params: deviceParamsSchema,
        response: {
          204: z.null().describe('Unregistered'),
          ...authErrors,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      await requireCustomer(deps.db, request.params.id);
      const removed = await deps.db.transaction(async (tx) => {
        const done = await removeCustomerToken(tx, request.params.id, request.params.token);
        if (done) await requestProfileChecks(tx, [request.params.id], new Date());
        return done;
      });
      if (!removed) {
        throw new ApiError(404, 'device_not_found', 'the customer has no such device token', [
          { path: 'token', message: 'is not registered for this customer' },
        ]);
      }
      return reply.code(204).send(null);
    },
  );
  done();
};

export function maskToken(token: string): string {
  return `…${token.slice(-VISIBLE_TOKEN_CHARS)}`;
}

function deviceView(row: DeviceTokenRow): Device {
  return {
    maskedToken: maskToken(row.token),
    platform: row.platform,
    createdAt: iso(row.createdAt),
    lastSeenAt: iso(row.lastSeenAt),
  };
}
