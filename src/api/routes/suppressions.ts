import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponseSchema } from '../../contract/common';
import {
  suppressionCreatedSchema,
  suppressionInputSchema,
  suppressionListQuerySchema,
  suppressionListSchema,
  suppressionParamsSchema,
  type Suppression,
} from '../../contract/suppressions';
import type { Database } from '../../db/database';
import {
  addSuppression,
  InvalidAddressError,
  listSuppressions,
  removeSuppression,
  suppressionExists,
  type SuppressionRow,
} from '../../guardrails/suppression';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

const TAGS = ['suppressions'];

export const suppressionRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.post(
    '/suppressions',
    {
      schema: {
        tags: TAGS,
        summary: 'Suppress an address on a channel (idempotent)',
        description:
          'Nothing is sent to a suppressed address, transactional messages included. The address ' +
          'is normalised (email lower-cased, phone to E.164). An address already suppressed keeps ' +
          'its first entry and answers 200 {created: false}.',
        security: bearerSecurity,
        body: suppressionInputSchema,
        response: { 200: suppressionCreatedSchema, 201: suppressionCreatedSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const { row, created } = await withAddressCheck('address', () =>
        addSuppression(deps.db, request.body),
      );
      return reply.code(created ? 201 : 200).send({ suppression: suppressionView(row), created });
    },
  );

  app.get(
    '/suppressions',
    {
      schema: {
        tags: TAGS,
        summary: 'Suppressed addresses, newest first',
        description:
          'Optionally of one channel. Pages with limit and the nextCursor of the previous page.',
        security: bearerSecurity,
        querystring: suppressionListQuerySchema,
        response: { 200: suppressionListSchema, ...authErrors },
      },
    },
    async (request) => {
      if (request.query.cursor) await requireCursor(deps.db, request.query.cursor);
      const page = await listSuppressions(deps.db, {
        limit: request.query.limit,
        ...(request.query.channel ? { channel: request.query.channel } : {}),
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      });
      return { suppressions: page.rows.map(suppressionView), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/suppressions/:channel/:address',
    {
      schema: {
        tags: TAGS,
        summary: 'Lift a suppression',
        description: 'The address is URL-encoded and normalised like on creation.',
        security: bearerSecurity,
        params: suppressionParamsSchema,
        response: {
          204: z.null().describe('Removed'),
          ...authErrors,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { channel, address } = request.params;
      const removed = await withAddressCheck('address', () =>
        removeSuppression(deps.db, channel, address),
      );
      if (!removed) {
        throw new ApiError(404, 'suppression_not_found', 'the address is not suppressed', [
          { path: 'address', message: 'is not suppressed on this channel' },
        ]);
      }
      return reply.code(204).send(null);
    },
  );
  done();
};

/** An address the channel cannot use is a 400 naming the field; the value is never echoed. */
async function withAddressCheck<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof InvalidAddressError)) throw error;
    throw new ApiError(400, 'validation_failed', `invalid ${error.channel} address`, [
      { path, message: error.problem },
    ]);
  }
}

async function requireCursor(db: Database, cursor: string): Promise<void> {
  if (!(await suppressionExists(db, cursor))) {
    throw new ApiError(400, 'validation_failed', 'cursor is not a page of this list', [
      { path: 'cursor', message: 'must be the nextCursor of a previous page' },
    ]);
  }
}

function suppressionView(row: SuppressionRow): Suppression {
  return {
    id: row.id,
    channel: row.channel,
    address: row.address,
    reason: row.reason,
    source: row.source,
    createdAt: iso(row.createdAt),
  };
}
