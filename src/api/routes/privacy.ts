import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  customerExportSchema,
  erasureRequestResponseSchema,
  erasureResponseSchema,
  type Erasure,
} from '../../contract/privacy';
import { exportCustomer } from '../../privacy/export-customer';
import { requestErasure } from '../../privacy/request-erasure';
import { readTombstone, type TombstoneRow } from '../../privacy/tombstones';
import { isTemporalUnavailable } from '../../routing/temporal-call';
import { erasureWorkflowId } from '../../workflows/erasure-names';
import type { ApiDeps } from '../deps';
import { ApiError, customerNotFound, temporalUnavailable } from '../errors';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';
import { missingCustomer } from './customers';

/**
 * Right to be forgotten and data export (src/privacy): DELETE /v1/customers/{id} starts an
 * erasure, GET …/erasure follows it, GET …/export answers everything Cairn holds about them.
 */
export const privacyRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.delete(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Erase a customer (right to be forgotten)',
        description:
          'Writes a tombstone at once — from then on events for the id are refused (410), and so ' +
          'are profile writes and sends to its email, phone and devices — then erases in the ' +
          'background, as a Temporal workflow that finishes whatever happens to this process: ' +
          'their runs are cancelled (terminated after a grace period) and their histories ' +
          'deleted, their rows erased from every table; the delivery ledger and conversions keep ' +
          'anonymised rows for the counts. 202 while erasing (a second request joins the first), ' +
          '200 once erased. Follow it with GET /v1/customers/{id}/erasure. The customers merged ' +
          'into this one (an anonymous visitor before sign-up) are the same person: each is ' +
          'erased with it, as its own erasure, and listed in mergedCustomers.',
        security: bearerSecurity,
        params: customerParamsSchema,
        response: {
          200: erasureRequestResponseSchema,
          202: erasureRequestResponseSchema,
          ...authErrors,
          404: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      if (!deps.privacy) throw privacyNotConfigured();
      const outcome = await requestErasure(
        {
          db: deps.db,
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          key: deps.privacy.identifierKey,
          ...(deps.temporalTimeoutMs ? { temporalTimeoutMs: deps.temporalTimeoutMs } : {}),
        },
        request.params.id,
      ).catch((error: unknown) => {
        throw isTemporalUnavailable(error) ? temporalUnavailable() : error;
      });
      if (outcome.kind === 'unknown_customer') throw customerNotFound('id');
      const code = outcome.kind === 'already_erased' ? 200 : 202;
      return reply.code(code).send({
        erasure: erasureView(outcome.tombstone),
        mergedCustomers: outcome.kind === 'erasing' ? outcome.merged : [],
      });
    },
  );

  app.get(
    '/customers/:id/erasure',
    {
      schema: {
        tags: ['customers'],
        summary: "A customer's erasure: erasing or erased, with counts per table",
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: erasureResponseSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const tombstone = await readTombstone(deps.db, request.params.id);
      if (!tombstone) {
        throw new ApiError(404, 'erasure_not_found', 'this customer was never erased', [
          { path: 'id', message: 'no erasure for this customer id' },
        ]);
      }
      return { erasure: erasureView(tombstone) };
    },
  );

  app.get(
    '/customers/:id/export',
    {
      schema: {
        tags: ['customers'],
        summary: 'Everything Cairn holds about a customer, as JSON',
        description:
          'Profile and consent, topics, devices, suppressions of their addresses, events, ' +
          'deliveries with recipients and subjects, tracked links, inbox, conversions, segment ' +
          'memberships, scores, lifecycle stage and runs with their traces: one consistent ' +
          'snapshot. Each list holds at most 10,000 rows; a section cut there is named in truncated.',
        security: bearerSecurity,
        params: customerParamsSchema,
        response: {
          200: customerExportSchema,
          ...authErrors,
          404: errorResponseSchema,
          410: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const exported = await exportCustomer(deps.db, request.params.id, new Date());
      if (!exported) throw await missingCustomer(deps.db, request.params.id);
      return exported;
    },
  );
  done();
};

function privacyNotConfigured(): ApiError {
  return new ApiError(
    503,
    'privacy_not_configured',
    'erasure needs CAIRN_PRIVACY_KEY, which this API was started without',
  );
}

function erasureView(row: TombstoneRow): Erasure {
  return {
    customerId: row.customerId,
    status: row.status,
    requestedAt: iso(row.requestedAt),
    erasedAt: isoOrNull(row.erasedAt),
    releasedAt: isoOrNull(row.releasedAt),
    workflowId: erasureWorkflowId(row.customerId),
    rounds: row.rounds,
    historiesDeleted: row.historiesDeleted,
    erasedRows: row.erasedRows,
  };
}
