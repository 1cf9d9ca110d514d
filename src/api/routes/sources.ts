import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponseSchema } from '../../contract/common';
import {
  sourceCreateSchema,
  sourceListSchema,
  sourceParamsSchema,
  sourceSchema,
  sourceUpdateSchema,
  syncRunListSchema,
  syncRunsQuerySchema,
  syncRunStartedSchema,
} from '../../contract/sources';
import { isTemporalUnavailable } from '../../routing/temporal-call';
import {
  createSource,
  findSource,
  listRuns,
  listSources,
  runSourceNow,
  SourceNotRunnable,
  sourceView,
  updateSource,
  type SourceAdminDeps,
} from '../../sync';
import type { ApiDeps } from '../deps';
import { ApiError, temporalUnavailable } from '../errors';
import { authErrors, bearerSecurity } from '../route-support';

const notFound = { ...authErrors, 404: errorResponseSchema };
const withTemporal = { ...notFound, 409: errorResponseSchema, 503: errorResponseSchema };
const runNowQuerySchema = z.object({
  /** How long to wait for the run to finish before answering (it goes on either way). */
  waitMs: z.coerce.number().int().min(0).max(30_000).default(10_000),
});

export const sourceRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  const admin: SourceAdminDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    temporalTimeoutMs: deps.temporalTimeoutMs ?? 5_000,
  };
  const view = (source: Parameters<typeof sourceView>[0]) => sourceView(source, deps.taskQueue);

  app.post(
    '/sources',
    {
      schema: {
        tags: ['sources'],
        summary: 'Add an external source synced on a schedule',
        description:
          'Stores the source and creates its Temporal Schedule (paused when enabled is false). ' +
          'Secrets are named by environment variable ({"env": "CRM_DATABASE_URL"}), never sent. ' +
          'Temporal not answering stores nothing (503).',
        security: bearerSecurity,
        body: sourceCreateSchema,
        response: { 201: sourceSchema, ...withTemporal },
      },
    },
    async (request, reply) => {
      const source = await temporalCall(() => createSource(admin, request.body));
      if (!source) throw sourceExists();
      return reply.code(201).send(view(source));
    },
  );

  app.get(
    '/sources',
    {
      schema: {
        tags: ['sources'],
        summary: 'List the sources',
        security: bearerSecurity,
        response: { 200: sourceListSchema, ...authErrors },
      },
    },
    async () => ({ sources: (await listSources(deps.db)).map(view) }),
  );

  app.get(
    '/sources/:id',
    {
      schema: {
        tags: ['sources'],
        summary: 'Read a source: its configuration, version and cursor',
        security: bearerSecurity,
        params: sourceParamsSchema,
        response: { 200: sourceSchema, ...notFound },
      },
    },
    async (request) => view(await requireSource(deps, request.params.id)),
  );

  app.put(
    '/sources/:id',
    {
      schema: {
        tags: ['sources'],
        summary: 'Replace a source’s configuration (its next version)',
        description:
          'The schedule follows: a new interval, paused when enabled is false, running again when ' +
          'true. The cursor is kept.',
        security: bearerSecurity,
        params: sourceParamsSchema,
        body: sourceUpdateSchema,
        response: { 200: sourceSchema, ...withTemporal },
      },
    },
    async (request) => {
      const source = await temporalCall(() =>
        updateSource(admin, { id: request.params.id, ...request.body }),
      );
      if (!source) throw sourceNotFound();
      return view(source);
    },
  );

  app.post(
    '/sources/:id/runs',
    {
      schema: {
        tags: ['sources'],
        summary: 'Run a source now',
        description:
          'Triggers its schedule (a run already going is named, started: false), waits up to ' +
          'waitMs for the run and answers it as recorded (run null while it still runs).',
        security: bearerSecurity,
        params: sourceParamsSchema,
        querystring: runNowQuerySchema,
        response: { 202: syncRunStartedSchema, ...withTemporal },
      },
    },
    async (request, reply) => {
      const started = await temporalCall(() =>
        runSourceNow(admin, request.params.id, request.query.waitMs),
      ).catch((error: unknown) => {
        if (!(error instanceof SourceNotRunnable)) throw error;
        throw error.reason === 'source_not_found'
          ? sourceNotFound()
          : new ApiError(409, error.reason, error.message);
      });
      return reply.code(202).send(started);
    },
  );

  app.get(
    '/sources/:id/runs',
    {
      schema: {
        tags: ['sources'],
        summary: 'A source’s runs, newest first: counts, rejected rows, errors, cursors and lag',
        security: bearerSecurity,
        params: sourceParamsSchema,
        querystring: syncRunsQuerySchema,
        response: { 200: syncRunListSchema, ...notFound },
      },
    },
    async (request) => {
      await requireSource(deps, request.params.id);
      return { runs: await listRuns(deps.db, request.params.id, request.query.limit) };
    },
  );
  done();
};

async function requireSource(deps: ApiDeps, id: string) {
  const source = await findSource(deps.db, id);
  if (!source) throw sourceNotFound();
  return source;
}

async function temporalCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTemporalUnavailable(error)) throw temporalUnavailable();
    throw error;
  }
}

function sourceNotFound(): ApiError {
  return new ApiError(404, 'source_not_found', 'no source has this id', [
    { path: 'id', message: 'no source has this id' },
  ]);
}

function sourceExists(): ApiError {
  return new ApiError(
    409,
    'source_exists',
    'a source has this id: PUT /v1/sources/{id} changes it',
    [{ path: 'id', message: 'a source has this id' }],
  );
}
