import type { Readable } from 'node:stream';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { errorResponseSchema } from '../../contract/common';
import {
  customerImportResultSchema,
  eventImportQuerySchema,
  eventImportResultSchema,
  IMPORT_CONTENT_TYPES,
} from '../../contract/imports';
import { CsvHeaderError, importCustomers, importEvents, type ImportFormat } from '../../imports';
import { eventSizeLimit } from '../../routing/payload-limits';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { inputIssues } from '../input-limits';
import { acceptStreamedBody } from '../request-guards';
import { authErrors, bearerSecurity } from '../route-support';

const FILE_DESCRIPTION =
  'The body is the file, streamed into Postgres and never held whole: text/csv (a header, then ' +
  'one row a record) or application/x-ndjson (one JSON object a line). Each row is checked as ' +
  'the single-item API checks its body; a refused row is reported by line and field (never its ' +
  'value) and the good rows are stored. Answers the counts and the first 100 issues.';

const responses = (result: typeof eventImportResultSchema | typeof customerImportResultSchema) => ({
  200: result,
  ...authErrors,
  415: errorResponseSchema,
});

/** POST /imports/events and /imports/customers: bulk import from a CSV or NDJSON file. */
export const importRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  for (const type of IMPORT_CONTENT_TYPES) acceptStreamedBody(app, type);
  app.post(
    '/imports/events',
    {
      schema: {
        tags: ['imports'],
        summary: 'Import events from a CSV or NDJSON file',
        description:
          `${FILE_DESCRIPTION} A line of NDJSON is POST /v1/events's body; CSV columns id, ` +
          'customer_id, type, occurred_at, delivery_id and properties (a JSON object), any other ' +
          'column a string property. Idempotent by event id. The customer must exist (a refused ' +
          'row otherwise). trigger=false (default): the events feed profile rules, scores, ' +
          'segments and lifecycle stages but start and signal no journey run; trigger=true: ' +
          'routed like POST /v1/events.',
        security: bearerSecurity,
        querystring: eventImportQuerySchema,
        response: responses(eventImportResultSchema),
      },
    },
    async (request) => {
      const started = performance.now();
      const { trigger, source } = request.query;
      const outcome = await refusingBadHeaders(() =>
        importEvents(deps.db, streamedBody(request.body), {
          format: formatOf(request.headers['content-type']),
          trigger,
          source: source ?? 'import',
          rules: { limits: inputIssues, maxEventBytes: deps.maxEventBytes ?? eventSizeLimit() },
          now: new Date(),
        }),
      );
      if (outcome.imported > 0) deps.outboxSignal?.notify();
      return { ...outcome, triggersJourneys: trigger, tookMs: elapsed(started) };
    },
  );
  app.post(
    '/imports/customers',
    {
      schema: {
        tags: ['imports'],
        summary: 'Import customers from a CSV or NDJSON file',
        description:
          `${FILE_DESCRIPTION} A line of NDJSON is PUT /v1/customers/{id}'s body with the id in ` +
          'it; CSV columns id, email, phone, time_zone, locale, consent_email, consent_sms, ' +
          'consent_push, attributes (a JSON object), any other column a string attribute; an ' +
          'empty cell leaves the field as it is. Idempotent by id: a row that changes nothing ' +
          'changes nothing.',
        security: bearerSecurity,
        response: responses(customerImportResultSchema),
      },
    },
    async (request) => {
      const started = performance.now();
      const outcome = await refusingBadHeaders(() =>
        importCustomers(deps.db, streamedBody(request.body), {
          format: formatOf(request.headers['content-type']),
          limits: inputIssues,
          now: new Date(),
          emailMarketingDefault: deps.emailMarketingDefault ?? 'opted_in',
          ...(deps.privacy ? { identifierKey: deps.privacy.identifierKey } : {}),
        }),
      );
      return { ...outcome, tookMs: elapsed(started) };
    },
  );
  done();
};

function streamedBody(body: unknown): Readable {
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) {
    return body as Readable;
  }
  throw new ApiError(
    415,
    'unsupported_media_type',
    'send the file as text/csv or application/x-ndjson',
  );
}

function formatOf(contentType: string | undefined): ImportFormat {
  return contentType?.toLowerCase().startsWith('text/csv') ? 'csv' : 'ndjson';
}

/** A CSV header that cannot be used refuses the file before any row is stored. */
async function refusingBadHeaders<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CsvHeaderError)) throw error;
    throw new ApiError(
      400,
      'validation_failed',
      'the CSV header cannot be used; nothing was stored',
      error.issues,
    );
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);
