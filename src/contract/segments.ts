import { z } from 'zod';
import { segmentConditionSchema, segmentIdSchema } from '../segments/schema';
import { customerIdSchema, isoTimestampSchema } from './common';

/** POST /v1/segments takes the segment language's own schema (defaults optional in the input). */
export { segmentDefinitionSchema, type SegmentDefinitionInput } from '../segments/schema';

export const segmentParamsSchema = z.object({ id: segmentIdSchema });

export const segmentKindSchema = z.enum(['rule', 'manual']);

export const segmentSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: segmentKindSchema,
    status: z.enum(['active', 'archived']),
    activeVersion: z.number().int(),
    /** false while a new rule version's membership is still being computed for everyone. */
    computed: z.boolean(),
    members: z.number().int(),
    createdAt: isoTimestampSchema,
    updatedAt: isoTimestampSchema,
  })
  .meta({ id: 'SegmentSummary' });
export type SegmentSummary = z.infer<typeof segmentSummarySchema>;

export const segmentDetailSchema = segmentSummarySchema
  .extend({ definition: z.record(z.string(), z.unknown()) })
  .meta({ id: 'Segment' });
export type SegmentDetail = z.infer<typeof segmentDetailSchema>;

export const segmentListSchema = z.object({ segments: z.array(segmentSummarySchema) });

export const segmentCreatedSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: segmentKindSchema,
});
export type SegmentCreated = z.infer<typeof segmentCreatedSchema>;

/** Most ids one request may add or remove; larger lists go as a CSV file. */
export const MAX_MEMBER_CHANGES = 10_000;

export const memberChangeSchema = z
  .object({
    add: z.array(customerIdSchema).max(MAX_MEMBER_CHANGES).default([]),
    remove: z.array(customerIdSchema).max(MAX_MEMBER_CHANGES).default([]),
  })
  .strict();
export type MemberChangeInput = z.input<typeof memberChangeSchema>;

export const memberChangeResultSchema = z.object({
  entered: z.number().int(),
  exited: z.number().int(),
  /** Ids that name no customer: nothing was stored for them (at most the first 100). */
  unknownCustomers: z.array(z.string()),
  unknownCount: z.number().int(),
});
export type MemberChangeResult = z.infer<typeof memberChangeResultSchema>;

/** POST /segments/:id/members/import?mode=: what the CSV file of ids does to the members. */
export const memberImportQuerySchema = z.object({
  /** add: the ids enter; remove: they exit; replace: they are the members, everyone else exits. */
  mode: z.enum(['add', 'remove', 'replace']).default('add'),
});

export const memberImportResultSchema = z.object({
  /** Lines read, a header and blank lines included. */
  lines: z.number().int(),
  /** Distinct ids in the file. */
  ids: z.number().int(),
  entered: z.number().int(),
  exited: z.number().int(),
  /** Lines whose id names no customer (the first 100): nothing was stored for them. */
  unknownLines: z.array(z.number().int()),
  unknownCount: z.number().int(),
  tookMs: z.number().int(),
});
export type MemberImportResult = z.infer<typeof memberImportResultSchema>;

export const memberListQuerySchema = z.object({
  /** The last customer id of the previous page. */
  after: customerIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

export const memberSchema = z.object({
  customerId: z.string(),
  version: z.number().int(),
  enteredAt: isoTimestampSchema,
});

export const memberListSchema = z.object({
  members: z.array(memberSchema),
  /** Pass as `after` for the next page; null on the last. */
  next: z.string().nullable(),
});
export type MemberList = z.infer<typeof memberListSchema>;

export const segmentPreviewRequestSchema = z
  .object({
    where: segmentConditionSchema,
    /** How many member ids to return, in id order. */
    sample: z.number().int().min(0).max(100).default(10),
  })
  .strict();
export type SegmentPreviewRequest = z.input<typeof segmentPreviewRequestSchema>;

export const segmentPreviewSchema = z.object({
  count: z.number().int(),
  sample: z.array(z.string()),
  /** How long the count took, in milliseconds. */
  tookMs: z.number(),
});
export type SegmentPreviewResult = z.infer<typeof segmentPreviewSchema>;
