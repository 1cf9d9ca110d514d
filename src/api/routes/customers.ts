import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  customerSchema,
  customerUpsertResponseSchema,
  customerUpsertSchema,
  type Customer,
} from '../../contract/customers';
import { customerStage, evaluateStages, requestProfileChecks } from '../../audience';
import {
  customerScoreViews,
  readCustomer,
  upsertCustomer,
  type CustomerRow,
  type CustomerScoreView,
} from '../../customers';
import { SCORE_CONTRIBUTIONS_SHOWN, type CustomerScore } from '../../contract/scores';
import { qualityLevel } from '../../scores';
import type { Database } from '../../db/database';
import type { ApiDeps } from '../deps';
import { customerNotFound } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

export const customerRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  app.put(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Create or update a customer profile',
        description:
          'Fields present replace the stored value (null clears it). attributes and consent are merged ' +
          'key by key; an attribute set to null is removed.',
        security: bearerSecurity,
        params: customerParamsSchema,
        body: customerUpsertSchema,
        response: {
          200: customerUpsertResponseSchema,
          201: customerUpsertResponseSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      // Segments that read the profile look at the customer again (src/audience): in the same
      // transaction, so a stored change is never missed by them.
      const { row, created } = await deps.db.transaction(async (tx) => {
        const upserted = await upsertCustomer(tx, request.params.id, request.body);
        const now = new Date();
        await requestProfileChecks(tx, [request.params.id], now);
        // A new customer has its first stage at once (no event: it is no transition), so a first
        // purchase right after is a move from it.
        if (upserted.created) {
          await evaluateStages(tx, [request.params.id], {
            now,
            emailMarketingDefault: deps.emailMarketingDefault ?? 'opted_in',
          });
        }
        return upserted;
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
      const [scores, stage] = await Promise.all([
        customerScoreViews(deps.db, row.id, {
          now: new Date(),
          contributionsShown: SCORE_CONTRIBUTIONS_SHOWN,
        }),
        customerStage(deps.db, request.params.id),
      ]);
      return {
        ...customerView(row),
        scores: (scores ?? []).map(scoreView),
        lifecycle: stage ? { stage: stage.stage, since: iso(stage.since) } : null,
      };
    },
  );
  done();
};

export async function requireCustomer(db: Database, id: string): Promise<CustomerRow> {
  const row = await readCustomer(db, id);
  if (!row) throw customerNotFound('id');
  return row;
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
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function scoreView(view: CustomerScoreView): CustomerScore {
  const { definition } = view;
  return {
    id: definition.id,
    name: definition.name,
    kind: definition.kind,
    version: definition.version,
    value: view.value,
    asOf: view.asOf ? iso(view.asOf) : null,
    contributions: view.rfm
      ? view.rfm.parts
      : view.contributions.map((c) => ({
          eventId: c.eventId,
          eventType: c.eventType,
          points: c.points,
          occurredAt: iso(c.occurredAt),
        })),
    ...(view.rfm ? { cell: view.rfm.cell, cellSince: iso(view.rfm.cellSince) } : {}),
    ...(definition.kind === 'profile_quality' ? { level: qualityLevel(view.value) } : {}),
  };
}
