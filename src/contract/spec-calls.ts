import { z } from 'zod';
import { specEventType } from '../journeys/event-names';
import {
  customerIdSchema,
  isoTimestampSchema,
  jsonObjectSchema,
  phoneNumberSchema,
} from './common';

/**
 * Segment's tracking spec as Cairn accepts it: identify, track, page, screen, group, alias and
 * batch, with the bodies Segment's libraries send (analytics-node, analytics.js, the mobile SDKs).
 * Objects are loose: a library adds fields of its own (context.library, _metadata, integrations)
 * and a payload is accepted as it is; only the fields Cairn reads are checked, and an issue names
 * its path (e.g. "batch.3.event").
 */

export const MAX_SPEC_BATCH = 1_000;

/** Libraries send ids as strings; some callers send numbers, which Segment also takes. */
const idText = (schema: z.ZodString) =>
  z.preprocess((value) => (typeof value === 'number' ? String(value) : value), schema);

/** A userId is the customer id (the caller's own id, never an email or phone). */
export const specUserIdSchema = idText(customerIdSchema);

/** An anonymous visitor's id (analytics.js writes a UUID); its customer is `anon:<anonymousId>`. */
export const anonymousIdSchema = idText(
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,189}$/,
      'must be 1-190 characters: letters, digits, "_", ".", ":", "|" or "-"',
    ),
);

const contextSchema = z.looseObject({
  /** The device's IANA zone: the customer's time zone when the profile has none. */
  timezone: z.string().max(100).optional(),
  locale: z.string().max(35).optional(),
});

const common = {
  messageId: z.string().min(1, 'must not be empty').max(200).optional(),
  anonymousId: anonymousIdSchema.optional(),
  /** When it happened on the caller's clock (or a historical time for an import). */
  timestamp: isoTimestampSchema.optional(),
  originalTimestamp: isoTimestampSchema.optional(),
  /** When the library sent it, on the same clock: the pair corrects that clock's skew. */
  sentAt: isoTimestampSchema.optional(),
  context: contextSchema.optional(),
  integrations: z.record(z.string(), z.unknown()).optional(),
};

const name = z.string().max(200).optional();

/**
 * A phone as people write it ("+1 (415) 555-0100") is read as E.164 once spaces, dots, dashes and
 * brackets are gone; a number without its country code cannot be, and is refused.
 */
const phoneTraitSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.replace(/[\s().-]/g, '') : value),
  phoneNumberSchema.nullable(),
);

/** The traits Cairn keeps in the profile's own fields are checked as PUT /v1/customers checks them. */
const traitsSchema = z.looseObject({
  email: z.email('must be an email address').max(320).nullable().optional(),
  phone: phoneTraitSchema.optional(),
});

/** Who a call is about; alias names its userId itself. */
const someoneShape = { userId: specUserIdSchema.optional() };

const shapes = {
  identify: { ...someoneShape, traits: traitsSchema.optional() },
  track: {
    ...someoneShape,
    event: z
      .string()
      .min(1, 'must not be empty')
      .max(200)
      .refine((event) => specEventType(event) !== '', 'must contain a letter'),
    properties: jsonObjectSchema.optional(),
  },
  page: { ...someoneShape, name, category: name, properties: jsonObjectSchema.optional() },
  screen: { ...someoneShape, name, category: name, properties: jsonObjectSchema.optional() },
  group: {
    ...someoneShape,
    groupId: idText(z.string().min(1).max(200)),
    traits: jsonObjectSchema.optional(),
  },
  alias: { previousId: idText(z.string().min(1).max(200)), userId: specUserIdSchema },
} as const;

export type SpecCallType = keyof typeof shapes;
export const SPEC_CALL_TYPES = Object.keys(shapes) as SpecCallType[];

/** Every call but alias names who it is about: a userId, an anonymousId, or both. */
function someone(message: { userId?: unknown; anonymousId?: unknown }, ctx: z.RefinementCtx) {
  if (message.userId === undefined && message.anonymousId === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['userId'],
      message: 'userId or anonymousId is required',
    });
  }
}

/** One message of a batch: its `type` says which call it is. */
function batchCall<T extends SpecCallType, S extends z.ZodRawShape>(type: T, shape: S) {
  const call = z.looseObject({ ...common, ...shape, type: z.literal(type) });
  return type === 'alias' ? call : call.superRefine(someone);
}

/** The body of one call's own endpoint: a `type`, if there is one, must be the endpoint's. */
function endpointCall<T extends SpecCallType, S extends z.ZodRawShape>(type: T, shape: S) {
  const call = z.looseObject({ ...common, ...shape, type: z.literal(type).optional() });
  return type === 'alias' ? call : call.superRefine(someone);
}

/** The body of POST /v1/<type>: the type is the endpoint's (a `type` field must agree). */
export const specCallSchemas = {
  identify: endpointCall('identify', shapes.identify),
  track: endpointCall('track', shapes.track),
  page: endpointCall('page', shapes.page),
  screen: endpointCall('screen', shapes.screen),
  group: endpointCall('group', shapes.group),
  alias: endpointCall('alias', shapes.alias),
};

export const specMessageSchema = z.discriminatedUnion('type', [
  batchCall('identify', shapes.identify),
  batchCall('track', shapes.track),
  batchCall('page', shapes.page),
  batchCall('screen', shapes.screen),
  batchCall('group', shapes.group),
  batchCall('alias', shapes.alias),
]);
export type SpecMessage = z.output<typeof specMessageSchema>;

export const specBatchSchema = z
  .looseObject({
    batch: z.array(specMessageSchema).min(1).max(MAX_SPEC_BATCH),
    /** The batch's send time; a message's own sentAt wins. */
    sentAt: isoTimestampSchema.optional(),
    /** Merged under each message's own context and integrations. */
    context: contextSchema.optional(),
    integrations: z.record(z.string(), z.unknown()).optional(),
    writeKey: z.string().max(500).optional(),
  })
  .meta({ id: 'SpecBatch' });
export type SpecBatch = z.output<typeof specBatchSchema>;

export const specResultSchema = z
  .object({
    /** Segment's own answer, which its libraries read. */
    success: z.literal(true),
    messages: z.array(
      z.object({
        messageId: z.string(),
        /** The messageId was accepted before: nothing of it was applied again. */
        duplicate: z.boolean(),
        /** The customer it was applied to (after identity resolution and merges). */
        customerId: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'SpecResult' });
export type SpecResult = z.infer<typeof specResultSchema>;
