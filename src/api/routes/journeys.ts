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
import {
  findJourney,
  findVersion,
  JourneyDefinitionError,
  listJourneys,
  publishVersion,
  setJourneyStatus,
  type JourneyRow,
  type JourneyVersionRow,
} from '../../catalogue';
import type { Database } from '../../db/database';
import type { ApiDeps } from '../deps';
import { ApiError, journeyNotFound, journeyVersionNotFound } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

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
          'version. Runs already inside keep the version they started with. A paused journey stays paused. ' +
          'Conditions see profile.hasEmail and profile.hasPhone, never the addresses (profile.email ' +
          'is always missing in a condition), and profile.last_engaged_at. segments.<id> reads ' +
          'whether the customer is a member of a segment now (trigger.when, audience, a branch’s when ' +
          'and a waitForEvent’s where); a segment that does not exist is refused, naming the field.',
        security: bearerSecurity,
        body: journeyDefinitionSchema,
        response: { 201: journeyCreatedSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      try {
        return reply.code(201).send(await publishVersion(deps.db, request.body));
      } catch (error) {
        if (error instanceof JourneyDefinitionError) throw refusedDefinition(error);
        throw error;
      }
    },
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
    async () => ({ journeys: (await listJourneys(deps.db)).map(summaryView) }),
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
        const row = await setJourneyStatus(deps.db, request.params.id, status);
        if (!row) throw journeyNotFound();
        return summaryView(row);
      },
    );
  }
  done();
};

function refusedDefinition(error: JourneyDefinitionError): ApiError {
  return new ApiError(400, 'validation_failed', 'invalid request body', error.issues);
}

async function requireJourney(db: Database, id: string): Promise<JourneyRow> {
  const row = await findJourney(db, id);
  if (!row) throw journeyNotFound();
  return row;
}

async function requireVersion(
  db: Database,
  journeyId: string,
  version: number,
): Promise<JourneyVersionRow> {
  const row = await findVersion(db, journeyId, version);
  if (!row) throw journeyVersionNotFound();
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
