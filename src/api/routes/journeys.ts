import { and, desc, eq, max } from 'drizzle-orm';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import {
  journeyCreatedSchema,
  journeyDefinitionSchema,
  journeyDetailSchema,
  journeyListSchema,
  journeyParamsSchema,
  journeySummarySchema,
  journeyVersionParamsSchema,
  journeyVersionSchema,
  type JourneySummary,
} from '../../contract/journeys';
import type { Database } from '../../db/database';
import { journeys, journeyVersions } from '../../db/schema';
import type { JourneyDefinition } from '../../journeys/schema';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

type JourneyRow = typeof journeys.$inferSelect;

const notFound = { ...authErrors, 404: errorResponseSchema };

export const journeyRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/journeys',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Publish a journey definition as its next immutable version',
        description:
          'Creates version 1, or the next version of an existing journey id, and makes it the active ' +
          'version. Runs already inside keep the version they started with. A paused journey stays paused.',
        security: bearerSecurity,
        body: journeyDefinitionSchema,
        response: { 201: journeyCreatedSchema, ...authErrors },
      },
    },
    async (request, reply) => reply.code(201).send(await publishVersion(deps.db, request.body)),
  );

  app.get(
    '/journeys',
    {
      schema: {
        tags: ['journeys'],
        summary: 'List journeys',
        security: bearerSecurity,
        response: { 200: journeyListSchema, ...authErrors },
      },
    },
    async () => {
      const rows = await deps.db.select().from(journeys).orderBy(journeys.id);
      return { journeys: rows.map(summaryView) };
    },
  );

  app.get(
    '/journeys/:id',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Read a journey with its active version definition',
        security: bearerSecurity,
        params: journeyParamsSchema,
        response: { 200: journeyDetailSchema, ...notFound },
      },
    },
    async (request) => {
      const journey = await requireJourney(deps.db, request.params.id);
      const version = await requireVersion(deps.db, journey.id, journey.activeVersion);
      return { ...summaryView(journey), definition: version.definition };
    },
  );

  app.get(
    '/journeys/:id/versions/:version',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Read one immutable version of a journey',
        security: bearerSecurity,
        params: journeyVersionParamsSchema,
        response: { 200: journeyVersionSchema, ...notFound },
      },
    },
    async (request) => {
      const row = await requireVersion(deps.db, request.params.id, request.params.version);
      return {
        journeyId: row.journeyId,
        version: row.version,
        definition: row.definition,
        createdAt: iso(row.createdAt),
      };
    },
  );

  for (const [action, status] of [
    ['pause', 'paused'],
    ['activate', 'active'],
  ] as const) {
    app.post(
      `/journeys/:id/${action}`,
      {
        schema: {
          tags: ['journeys'],
          summary:
            action === 'pause'
              ? 'Pause a journey: its trigger starts no new runs (running runs go on)'
              : 'Activate a paused journey: its trigger starts runs again',
          security: bearerSecurity,
          params: journeyParamsSchema,
          response: { 200: journeySummarySchema, ...notFound },
        },
      },
      async (request) => {
        await requireJourney(deps.db, request.params.id);
        const [row] = await deps.db
          .update(journeys)
          .set({ status, updatedAt: new Date() })
          .where(eq(journeys.id, request.params.id))
          .returning();
        return summaryView(row as JourneyRow);
      },
    );
  }
  done();
};

/** Versions are numbered under a row lock, so concurrent publishes get distinct numbers. */
async function publishVersion(db: Database, definition: JourneyDefinition) {
  return db.transaction(async (tx) => {
    await tx
      .insert(journeys)
      .values({ id: definition.id, name: definition.name, activeVersion: 0, triggerEvent: null })
      .onConflictDoNothing();
    const [journey] = await tx
      .select()
      .from(journeys)
      .where(eq(journeys.id, definition.id))
      .for('update');
    const [latest] = await tx
      .select({ version: max(journeyVersions.version) })
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, definition.id));
    const version = (latest?.version ?? 0) + 1;
    await tx
      .insert(journeyVersions)
      .values({ journeyId: definition.id, version, definition: definition });
    await tx
      .update(journeys)
      .set({
        name: definition.name,
        activeVersion: version,
        triggerEvent: definition.trigger?.event ?? null,
        updatedAt: new Date(),
      })
      .where(eq(journeys.id, definition.id));
    return { id: definition.id, version, status: journey?.status ?? 'active' };
  });
}

export async function requireJourney(db: Database, id: string): Promise<JourneyRow> {
  const [row] = await db.select().from(journeys).where(eq(journeys.id, id)).limit(1);
  if (!row)
    throw new ApiError(404, 'journey_not_found', 'no journey with this id', [
      { path: 'id', message: 'no journey with this id' },
    ]);
  return row;
}

async function requireVersion(db: Database, journeyId: string, version: number) {
  const [row] = await db
    .select()
    .from(journeyVersions)
    .where(and(eq(journeyVersions.journeyId, journeyId), eq(journeyVersions.version, version)))
    .orderBy(desc(journeyVersions.version))
    .limit(1);
  if (!row) {
    throw new ApiError(404, 'journey_version_not_found', 'no such journey version', [
      { path: 'version', message: `journey has no version ${version}` },
    ]);
  }
  return row;
}

function summaryView(row: JourneyRow): JourneySummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    activeVersion: row.activeVersion,
    triggerEvent: row.triggerEvent,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
