import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  customerSchema,
  customerUpsertResponseSchema,
  customerUpsertSchema,
  type Customer,
} from '../../contract/customers';
import { customerStage, loadScoreCatalogue } from '../../audience';
import { customerScoreViews, readCustomer, scoreView, type CustomerRow } from '../../customers';
import { SCORE_CONTRIBUTIONS_SHOWN } from '../../contract/scores';
import type { Database } from '../../db/database';
import { currentCustomerId } from '../../identity';
import { writeProfile } from '../../ingestion/write-profile';
import { ProfileWriteRefused } from '../../privacy/profile-writes';
import { standingTombstone } from '../../privacy/tombstones';
import { customerSyncSources } from '../../sync';
import type { ApiDeps } from '../deps';
import { ApiError, customerErased, customerNotFound } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

export const customerRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  const profileDeps = {
    identifierKey: deps.privacy?.identifierKey,
    emailMarketingDefault: deps.emailMarketingDefault ?? 'opted_in',
  };
  app.put(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Create or update a customer profile',
        description:
          'Fields present replace the stored value (null clears it). attributes and consent are merged ' +
          'key by key; an attribute set to null is removed. An erased customer (DELETE ' +
          '/v1/customers/{id}) is 410 customer_erased, and an email or phone of an erased customer ' +
          '409 identifier_erased, unless newOptIn says the person signed up again: then the id ' +
          'is a fresh profile. While an erasure runs: 409 erasure_in_progress. An id merged into ' +
          'another customer (see /v1/customers/{id}/identities) writes and answers the survivor.',
        security: bearerSecurity,
        params: customerParamsSchema,
        body: customerUpsertSchema,
        response: {
          200: customerUpsertResponseSchema,
          201: customerUpsertResponseSchema,
          ...authErrors,
          409: errorResponseSchema,
          410: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { newOptIn, ...change } = request.body;
      const { row, created } = await deps.db
        .transaction(async (tx) =>
          // A customer merged away (src/identity) is written as its survivor.
          writeProfile(tx, profileDeps, await currentCustomerId(tx, request.params.id), change, {
            newOptIn: newOptIn === true,
            now: new Date(),
            source: 'api',
          }),
        )
        .catch((error: unknown) => {
          throw error instanceof ProfileWriteRefused ? profileWriteRefused(error) : error;
        });
      return reply.code(created ? 201 : 200).send({ customer: customerView(row), created });
    },
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Read a customer profile',
        description:
          'With every score as conditions read it now (decayed, capped) and the newest ' +
          `${SCORE_CONTRIBUTIONS_SHOWN} contributions that made each decaying score; the RFM ` +
          'score (when the customer bought in its window) with its cell and r, f, m parts.',
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: customerSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => {
      const row = await requireCustomer(deps.db, request.params.id);
      const [scores, stage, syncedFrom] = await Promise.all([
        loadScoreCatalogue(deps.db).then((scores) =>
          customerScoreViews(deps.db, row.id, {
            now: new Date(),
            contributionsShown: SCORE_CONTRIBUTIONS_SHOWN,
            scores,
          }),
        ),
        customerStage(deps.db, request.params.id),
        customerSyncSources(deps.db, row.id),
      ]);
      return {
        ...customerView(row),
        scores: (scores ?? []).map(scoreView),
        lifecycle: stage ? { stage: stage.stage, since: iso(stage.since) } : null,
        // Only synced profiles have one, so profiles no source touched read as before.
        ...(syncedFrom.length > 0 ? { syncedFrom } : {}),
      };
    },
  );
  done();
};

export async function requireCustomer(db: Database, id: string): Promise<CustomerRow> {
  const row = await readCustomer(db, id);
  if (!row) throw await missingCustomer(db, id);
  return row;
}

/** A customer that is not there: 410 when they were erased (their tombstone stands), else 404. */
export async function missingCustomer(db: Database, id: string): Promise<ApiError> {
  return (await standingTombstone(db, id)) ? customerErased(['id']) : customerNotFound('id');
}

export function customerView(row: CustomerRow): Customer {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    timeZone: row.timeZone,
    locale: row.locale,
    attributes: row.attributes,
    consent: row.consent,
    sources: row.sources,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function profileWriteRefused(refusal: ProfileWriteRefused): ApiError {
  if (refusal.reason === 'customer_erased') return customerErased(['id']);
  if (refusal.reason === 'erasure_in_progress') {
    return new ApiError(409, 'erasure_in_progress', 'this customer is being erased', [
      { path: 'id', message: 'an erasure of this customer is running; wait for it to finish' },
    ]);
  }
  return new ApiError(409, 'identifier_erased', 'an identifier of an erased customer', [
    {
      path: refusal.field,
      message: 'belongs to an erased customer; send "newOptIn": true if the person signed up again',
    },
  ]);
}
