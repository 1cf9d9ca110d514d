import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  customerIdentitiesSchema,
  mergeIdParamsSchema,
  mergeRecordSchema,
  mergeRequestSchema,
  mergeResultSchema,
  type MergeRecord,
} from '../../contract/identity';
import { existingCustomerIds } from '../../customers';
import {
  collapseDuplicateRuns,
  findMerge,
  identifiersOf,
  mergeCustomers,
  MergeError,
  mergesOf,
  survivorOf,
  unmergeCustomers,
  type MergeRow,
} from '../../identity';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso, isoOrNull } from '../route-support';
import { routingDeps } from '../routing-deps';
import { missingCustomer } from './customers';

const errors = {
  ...authErrors,
  404: errorResponseSchema,
  409: errorResponseSchema,
  410: errorResponseSchema,
};

export const identityRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.post(
    '/customers/:id/merge',
    {
      schema: {
        tags: ['customers'],
        summary: 'Merge another customer into this one',
        description:
          'The customer `from` is merged into the customer of the path, the survivor: its events, ' +
          'identifiers, device tokens, topic choices, score inputs and runs move; consent is the ' +
          'stricter of the two per channel; the survivor keeps its own non-empty profile values ' +
          'and takes the others. Events for `from` land on the survivor from now on. A running ' +
          'run of both in one journey: the later entry is cancelled (merged_duplicate). Undo with ' +
          'POST /v1/merges/{mergeId}/unmerge.',
        security: bearerSecurity,
        params: customerParamsSchema,
        body: mergeRequestSchema,
        response: { 200: mergeResultSchema, ...errors },
      },
    },
    async (request) => {
      const into = request.params.id;
      const { mergeId } = await mergeCustomers(deps.db, {
        from: request.body.from,
        into,
        reason: request.body.reason ?? 'manual',
        causedBy: 'api',
      }).catch(rethrow);
      const cancelledRuns = await collapseDuplicateRuns(routingDeps(deps, request.log), into);
      return { merge: mergeView((await findMerge(deps.db, mergeId))!), cancelledRuns };
    },
  );

  app.post(
    '/merges/:mergeId/unmerge',
    {
      schema: {
        tags: ['customers'],
        summary: 'Undo a merge',
        description:
          'What the merge moved goes back and the merged-away customer stands for itself again. ' +
          'Consent goes back to what each had, but an opt-out (or topic unsubscribe) given on the ' +
          'survivor since the merge stays on both. A merge whose survivor was merged again since ' +
          'is undone after that later merge (409 survivor_merged).',
        security: bearerSecurity,
        params: mergeIdParamsSchema,
        response: { 200: mergeRecordSchema, ...errors },
      },
    },
    async (request) => {
      await unmergeCustomers(deps.db, request.params.mergeId).catch(rethrow);
      return mergeView((await findMerge(deps.db, request.params.mergeId))!);
    },
  );

  app.get(
    '/customers/:id/identities',
    {
      schema: {
        tags: ['customers'],
        summary: "A customer's identifiers and merges",
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: customerIdentitiesSchema, ...errors },
      },
    },
    async (request) => {
      const id = request.params.id;
      if (!(await existingCustomerIds(deps.db, [id])).has(id)) {
        throw await missingCustomer(deps.db, id);
      }
      const [identifiers, merges, survivors] = await Promise.all([
        identifiersOf(deps.db, id),
        mergesOf(deps.db, id),
        survivorOf(deps.db, [id]),
      ]);
      return {
        customerId: id,
        mergedInto: survivors.get(id) ?? null,
        identifiers: identifiers.map((row) => ({
          type: row.type,
          value: row.value,
          source: row.source,
          firstSeen: iso(row.firstSeen),
        })),
        merges: merges.map(mergeView),
      };
    },
  );
  done();
};

function mergeView(row: MergeRow): MergeRecord {
  return {
    id: row.id,
    from: row.fromCustomerId,
    into: row.intoCustomerId,
    status: row.status as MergeRecord['status'],
    reason: row.reason,
    causedBy: row.causedBy,
    createdAt: iso(row.createdAt),
    unmergedAt: isoOrNull(row.unmergedAt),
  };
}

const STATUS: Record<MergeError['code'], number> = {
  same_customer: 400,
  customer_not_found: 404,
  merge_not_found: 404,
  customer_merged: 409,
  merge_not_applied: 409,
  survivor_merged: 409,
};

/** A refused merge or unmerge as a 4xx naming the field; anything else goes up as it is. */
function rethrow(error: unknown): never {
  if (error instanceof MergeError) {
    throw new ApiError(STATUS[error.code], error.code, error.message, [
      { path: error.field, message: error.message },
    ]);
  }
  throw error;
}
