import { z } from 'zod';

/**
 * Shapes shared by the HTTP API and the typed client. Both sides import these zod schemas, so a
 * request the client builds is exactly what the server validates. No fastify here.
 */

export const issueSchema = z.object({
  /** Dotted path of the offending field, e.g. "steps.2.next" or "items.1.customerId". */
  path: z.string(),
  message: z.string(),
});
export type ApiIssue = z.infer<typeof issueSchema>;

export const errorResponseSchema = z
  .object({
    error: z.object({
      /** Machine-readable: validation_failed, unauthorized, customer_not_found, ... */
      code: z.string(),
      message: z.string(),
      issues: z.array(issueSchema).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** The caller's own opaque customer id (never an email or phone number). */
export const customerIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,199}$/,
    'must be 1-200 characters: letters, digits, "_", ".", ":", "|" or "-"',
  );

/** A phone number as Cairn stores it: E.164. */
export const phoneNumberSchema = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as "+14155550100"');

export const localeSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 locale such as "fr-FR"');

export const timeZoneSchema = z
  .string()
  .refine(isIanaTimeZone, 'must be an IANA time zone such as "Europe/Paris"');

export function isIanaTimeZone(zone: string): boolean {
  // Intl also accepts offsets such as "+01:00" on newer runtimes; journeys need real zones.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The instants Postgres stores and JavaScript writes back as they were sent: years 1 to 9999, UTC. */
export const EARLIEST_TIMESTAMP = '0001-01-01T00:00:00.000Z';
export const LATEST_TIMESTAMP = '9999-12-31T23:59:59.999Z';
const earliest = Date.parse(EARLIEST_TIMESTAMP);
const latest = Date.parse(LATEST_TIMESTAMP);

export const isoTimestampSchema = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO-8601 timestamp such as "2026-11-22T09:30:00Z"',
  })
  .refine(
    (value) => {
      const at = Date.parse(value);
      return at >= earliest && at <= latest;
    },
    {
      message: 'must be between 0001-01-01 and 9999-12-31 (UTC)',
      // One issue per field: a value that is no timestamp already has its own.
      when: (payload) => payload.issues.length === 0,
    },
  );

/** The largest value of a Postgres integer column (journey versions are one). */
export const MAX_INTEGER = 2_147_483_647;

export const jsonObjectSchema = z.record(z.string(), z.json());

export const workflowIdParamsSchema = z.object({ workflowId: z.string().min(1).max(500) });
export const customerParamsSchema = z.object({ id: customerIdSchema });
