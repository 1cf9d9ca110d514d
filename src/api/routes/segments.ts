import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import {
  changeManualMembers,
  findSegment,
  findSegmentVersion,
  listMembers,
  listSegments,
  memberCounts,
  NotManualSegmentError,
  previewSegment,
  publishSegment,
  SegmentDefinitionError,
  type SegmentRow,
} from '../../audience';
import { errorResponseSchema } from '../../contract/common';
import {
  memberChangeResultSchema,
  memberChangeSchema,
  memberListQuerySchema,
  memberListSchema,
  segmentCreatedSchema,
  segmentDefinitionSchema,
  segmentDetailSchema,
  segmentListSchema,
  segmentParamsSchema,
  segmentPreviewRequestSchema,
  segmentPreviewSchema,
  type SegmentSummary,
} from '../../contract/segments';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { authErrors, bearerSecurity, iso } from '../route-support';

const notFound = { ...authErrors, 404: errorResponseSchema };
const UNKNOWN_SHOWN = 100;

export const segmentRoutes: FastifyPluginCallbackZod<{ deps: ApiDeps }> = (app, { deps }, done) => {
  app.post(
    '/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'Publish a segment definition as its next immutable version',
        description:
          'Creates version 1, or the next version of an existing segment id, and makes it active. ' +
          'A rule segment’s members are then computed for every customer in the background and kept ' +
          'live as events and profile changes arrive; each entry and exit is a segment_entered / ' +
          'segment_exited event with properties.segment_id. A manual segment’s members are added ' +
          'and removed through /segments/:id/members.',
        security: bearerSecurity,
        body: segmentDefinitionSchema,
        response: { 201: segmentCreatedSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      try {
        return reply.code(201).send(await publishSegment(deps.db, request.body));
      } catch (error) {
        if (error instanceof SegmentDefinitionError) throw refusedDefinition(error);
        throw error;
      }
    },
  );

  app.post(
    '/segments/preview',
    {
      schema: {
        tags: ['segments'],
        summary: 'Count who a segment condition matches now, with a sample, before saving it',
        security: bearerSecurity,
        body: segmentPreviewRequestSchema,
        response: { 200: segmentPreviewSchema, ...authErrors },
      },
    },
    async (request) => {
      const started = performance.now();
      try {
        const preview = await previewSegment(deps.db, request.body.where, {
          now: new Date(),
          emailMarketingDefault: deps.emailMarketingDefault ?? 'opted_in',
          sample: request.body.sample,
        });
        return { ...preview, tookMs: Math.round(performance.now() - started) };
      } catch (error) {
        if (error instanceof SegmentDefinitionError) throw refusedDefinition(error);
        throw error;
      }
    },
  );

  app.get(
    '/segments',
    {
      schema: {
        tags: ['segments'],
        summary: 'List segments with their member counts',
        security: bearerSecurity,
        response: { 200: segmentListSchema, ...authErrors },
      },
    },
    async () => {
      const [rows, counts] = await Promise.all([listSegments(deps.db), memberCounts(deps.db)]);
      return { segments: rows.map((row) => summaryView(row, counts.get(row.id) ?? 0)) };
    },
  );

  app.get(
    '/segments/:id',
    {
      schema: {
        tags: ['segments'],
        summary: 'Read a segment with its active definition',
        security: bearerSecurity,
        params: segmentParamsSchema,
        response: { 200: segmentDetailSchema, ...notFound },
      },
    },
    async (request) => {
      const row = await findSegment(deps.db, request.params.id);
      if (!row) throw segmentNotFound();
      const version = await findSegmentVersion(deps.db, row.id, row.activeVersion);
      const counts = await memberCounts(deps.db);
      return {
        ...summaryView(row, counts.get(row.id) ?? 0),
        definition: version?.definition ?? {},
      };
    },
  );

  app.get(
    '/segments/:id/members',
    {
      schema: {
        tags: ['segments'],
        summary: 'Page through a segment’s current members, in customer id order',
        security: bearerSecurity,
        params: segmentParamsSchema,
        querystring: memberListQuerySchema,
        response: { 200: memberListSchema, ...notFound },
      },
    },
    async (request) => {
      if (!(await findSegment(deps.db, request.params.id))) throw segmentNotFound();
      const page = await listMembers(deps.db, request.params.id, request.query);
      return {
        members: page.members.map((m) => ({ ...m, enteredAt: iso(m.enteredAt) })),
        next: page.next,
      };
    },
  );

  app.post(
    '/segments/:id/members',
    {
      schema: {
        tags: ['segments'],
        summary: 'Add and remove members of a manual segment',
        description:
          'Up to 10,000 ids each way per request. Ids that name no customer are reported and not ' +
          'stored; the others apply. Every entry and exit is a segment_entered / segment_exited event.',
        security: bearerSecurity,
        params: segmentParamsSchema,
        body: memberChangeSchema,
        response: { 200: memberChangeResultSchema, ...notFound, 409: errorResponseSchema },
      },
    },
    async (request) => {
      try {
        const outcome = await changeManualMembers(
          deps.db,
          request.params.id,
          request.body,
          new Date(),
        );
        if (outcome.entered + outcome.exited > 0) deps.outboxSignal?.notify();
        return {
          entered: outcome.entered,
          exited: outcome.exited,
          unknownCustomers: outcome.unknownCustomers.slice(0, UNKNOWN_SHOWN),
          unknownCount: outcome.unknownCustomers.length,
        };
      } catch (error) {
        if (error instanceof NotManualSegmentError) throw notManual(error);
        throw error;
      }
    },
  );
  done();
};

function summaryView(row: SegmentRow, members: number): SegmentSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    activeVersion: row.activeVersion,
    computed: row.computedVersion === row.activeVersion,
    members,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function segmentNotFound(): ApiError {
  return new ApiError(404, 'segment_not_found', 'no segment with this id', [
    { path: 'id', message: 'no segment with this id' },
  ]);
}

function refusedDefinition(error: SegmentDefinitionError): ApiError {
  return new ApiError(400, 'validation_failed', 'invalid request body', [
    { path: error.path, message: error.reason },
  ]);
}

export function notManual(error: NotManualSegmentError): ApiError {
  if (error.reason === 'not_found') return segmentNotFound();
  return new ApiError(
    409,
    'rule_segment',
    'a rule segment’s members are decided by its condition',
    [{ path: 'id', message: 'is a rule segment: publish a new version to change who is in it' }],
  );
}
