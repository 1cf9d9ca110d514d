import type { Readable } from 'node:stream';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import {
  importManualMembers,
  ImportRefusedError,
  MAX_IMPORT_LINES,
  NotManualSegmentError,
} from '../../audience';
import { errorResponseSchema } from '../../contract/common';
import {
  memberImportQuerySchema,
  memberImportResultSchema,
  segmentParamsSchema,
} from '../../contract/segments';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { acceptStreamedBody } from '../request-guards';
import { authErrors, bearerSecurity } from '../route-support';
import { notManual } from './segments';

/** POST /segments/:id/members/import: a manual segment's members from a CSV file of ids. */
export const segmentImportRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (
  app,
  { deps },
  done,
) => {
  acceptStreamedBody(app, 'text/csv');
  app.post(
    '/segments/:id/members/import',
    {
      schema: {
        tags: ['segments'],
        summary: 'Add, remove or replace the members of a manual segment from a CSV file of ids',
        description:
          'The body is text/csv, one customer id a line, an optional header (id or customer_id), ' +
          `up to ${MAX_IMPORT_LINES.toLocaleString('en')} lines; it is streamed into Postgres, ` +
          'never held whole. mode=add (default) enters the ids, remove exits them, replace makes ' +
          'them the members (everyone else exits). Ids that name no customer are reported by line ' +
          'and not stored. A line that is not one customer id refuses the whole file (400 naming ' +
          'its line) and nothing is stored. Every entry and exit is a segment_entered / ' +
          'segment_exited event.',
        security: bearerSecurity,
        params: segmentParamsSchema,
        querystring: memberImportQuerySchema,
        response: {
          200: memberImportResultSchema,
          ...authErrors,
          404: errorResponseSchema,
          409: errorResponseSchema,
          415: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const body = request.body as Readable | undefined;
      if (!isStream(body)) {
        throw new ApiError(415, 'unsupported_media_type', 'send the file as text/csv');
      }
      const started = performance.now();
      try {
        const outcome = await importManualMembers(
          deps.db,
          request.params.id,
          request.query.mode,
          body,
          new Date(),
        );
        if (outcome.entered + outcome.exited > 0) deps.outboxSignal?.notify();
        return { ...outcome, tookMs: Math.round(performance.now() - started) };
      } catch (error) {
        if (error instanceof NotManualSegmentError) throw notManual(error);
        if (error instanceof ImportRefusedError) throw refusedFile(error);
        throw error;
      }
    },
  );
  done();
};

function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

function refusedFile(error: ImportRefusedError): ApiError {
  if (error.tooManyLines !== null) {
    return new ApiError(
      413,
      'body_too_large',
      `the file has more than ${error.tooManyLines} lines`,
    );
  }
  return new ApiError(
    400,
    'validation_failed',
    `${error.badCount} line(s) are not one customer id; nothing was stored`,
    error.badLines.map((bad) => ({ path: `line.${bad.line}`, message: bad.reason })),
  );
}
