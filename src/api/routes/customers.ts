import { eq } from 'drizzle-orm';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { customerParamsSchema, errorResponseSchema } from '../../contract/common';
import {
  customerSchema,
  customerUpsertResponseSchema,
  customerUpsertSchema,
  type Customer,
} from '../../contract/customers';
import type { Database } from '../../db/database';
import { customers } from '../../db/schema';
import type { JsonObject } from '../../journeys/run-types';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';
import type { z } from 'zod';
import { lockConsentForChange } from '../../guardrails/consent-gate';

type CustomerRow = typeof customers.$inferSelect;
type Upsert = z.output<typeof customerUpsertSchema>;

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
      const { row, created } = await upsertCustomer(deps.db, request.params.id, request.body);
      return reply.code(created ? 201 : 200).send({ customer: customerView(row), created });
    },
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Read a customer profile',
        security: bearerSecurity,
        params: customerParamsSchema,
        response: { 200: customerSchema, ...authErrors, 404: errorResponseSchema },
      },
    },
    async (request) => customerView(await requireCustomer(deps.db, request.params.id)),
  );
  done();
};

export async function requireCustomer(db: Database, id: string): Promise<CustomerRow> {
  const rows = await db.select().from(customers).where(eq(customers.id, id)).limit(1);
  if (!rows[0]) {
    throw new ApiError(404, 'customer_not_found', 'no customer with this id', [
      { path: 'id', message: 'no customer with this id' },
    ]);
  }
  return rows[0];
}

async function upsertCustomer(
  db: Database,
  id: string,
  body: Upsert,
): Promise<{ row: CustomerRow; created: boolean }> {
  return db.transaction(async (tx) => {
    // A consent change waits for sends on their way and holds new ones until it commits.
    if (body.consent !== undefined) await lockConsentForChange(tx, id);
    const inserted = await tx
      .insert(customers)
      .values({
        id,
        ...scalarFields(body),
        attributes: mergeAttributes({}, body.attributes),
        consent: body.consent ?? {},
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return { row: inserted[0], created: true };
    // Merging needs the stored row; the lock keeps concurrent merges from losing keys.
    const [current] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    const [row] = await tx
      .update(customers)
      .set({
        ...scalarFields(body),
        attributes: mergeAttributes(current?.attributes ?? {}, body.attributes),
        consent: { ...current?.consent, ...(body.consent ?? {}) },
        updatedAt: new Date(),
      })
      .where(eq(customers.id, id))
      .returning();
    return { row: row as CustomerRow, created: false };
  });
}

function scalarFields(body: Upsert) {
  const fields: Partial<Pick<CustomerRow, 'email' | 'phone' | 'timeZone' | 'locale'>> = {};
  if (body.email !== undefined) fields.email = body.email;
  if (body.phone !== undefined) fields.phone = body.phone;
  if (body.timeZone !== undefined) fields.timeZone = body.timeZone;
  if (body.locale !== undefined) fields.locale = body.locale;
  return fields;
}

function mergeAttributes(current: JsonObject, changes: Upsert['attributes']): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
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
