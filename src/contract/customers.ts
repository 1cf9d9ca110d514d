import { z } from 'zod';
import {
  customerIdSchema,
  isoTimestampSchema,
  jsonObjectSchema,
  localeSchema,
  phoneNumberSchema,
  timeZoneSchema,
} from './common';
import { customerScoreSchema } from './scores';
import { customerLifecycleSchema } from './lifecycle';
import { customerSyncSourceSchema } from './sources';

const consentStateSchema = z.enum(['opted_in', 'opted_out']);

export const consentSchema = z.strictObject({
  email: consentStateSchema.optional(),
  sms: consentStateSchema.optional(),
  push: consentStateSchema.optional(),
});

/**
 * PUT body. Fields present replace the stored value (null clears it); attributes and consent are
 * merged key by key, and an attribute set to null is removed.
 */
export const customerUpsertSchema = z
  .strictObject({
    email: z.email('must be an email address').max(320).nullable().optional(),
    phone: phoneNumberSchema.nullable().optional(),
    timeZone: timeZoneSchema.nullable().optional(),
    locale: localeSchema.nullable().optional(),
    attributes: jsonObjectSchema.optional(),
    consent: consentSchema.optional(),
    /**
     * The person gave a new opt-in (signed up again): an erased customer id, email or phone may
     * be used for a fresh profile. Without it writes naming them are refused (410, 409).
     */
    newOptIn: z.boolean().optional(),
  })
  .meta({ id: 'CustomerUpsert' });
export type CustomerUpsert = z.input<typeof customerUpsertSchema>;

export const customerSchema = z
  .object({
    id: customerIdSchema,
    email: z.string().nullable(),
    phone: z.string().nullable(),
    timeZone: z.string().nullable(),
    locale: z.string().nullable(),
    attributes: jsonObjectSchema,
    consent: consentSchema,
    /** Every source that wrote the profile (api, website, crm, import, …), first one first. */
    sources: z.array(z.string()),
    createdAt: isoTimestampSchema,
    updatedAt: isoTimestampSchema,
    /** GET /v1/customers/:id only: every score as conditions read it now. */
    scores: z.array(customerScoreSchema).optional(),
    /** The lifecycle stage (GET /v1/lifecycle-stages), on GET /v1/customers/{id}. */
    lifecycle: customerLifecycleSchema.optional(),
    /** GET /v1/customers/{id} only: each synced source (src/sync) that set fields of the profile. */
    syncedFrom: z.array(customerSyncSourceSchema).optional(),
  })
  .meta({ id: 'Customer' });
export type Customer = z.infer<typeof customerSchema>;

export const customerUpsertResponseSchema = z.object({
  customer: customerSchema,
  created: z.boolean(),
});
export type CustomerUpsertResponse = z.infer<typeof customerUpsertResponseSchema>;
