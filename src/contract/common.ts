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

export const isoTimestampSchema = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 timestamp such as "2026-11-22T09:30:00Z"',
});

export const jsonObjectSchema = z.record(z.string(), z.json());

export const workflowIdParamsSchema = z.object({ workflowId: z.string().min(1).max(500) });
export const customerParamsSchema = z.object({ id: customerIdSchema });
