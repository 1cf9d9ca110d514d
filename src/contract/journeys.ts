import { z } from 'zod';
import { journeyIdSchema } from '../journeys/schema';

/** POST /v1/journeys takes the journey language's own schema (defaults optional in the input). */
export { journeyDefinitionSchema, type JourneyDefinitionInput } from '../journeys/schema';
import { isoTimestampSchema, MAX_INTEGER } from './common';

export const journeyStatusSchema = z.enum(['active', 'paused', 'archived']);

export const journeyParamsSchema = z.object({ id: journeyIdSchema });
export const journeyVersionParamsSchema = z.object({
  id: journeyIdSchema,
  version: z.coerce.number().int().positive().max(MAX_INTEGER),
});

export const journeySummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: journeyStatusSchema,
    activeVersion: z.number().int(),
    triggerEvent: z.string().nullable(),
    createdAt: isoTimestampSchema,
    updatedAt: isoTimestampSchema,
  })
  .meta({ id: 'JourneySummary' });
export type JourneySummary = z.infer<typeof journeySummarySchema>;

/** A stored definition is returned as stored: already validated, defaults filled in. */
const storedDefinitionSchema = z.record(z.string(), z.unknown());

export const journeyVersionSchema = z
  .object({
    journeyId: z.string(),
    version: z.number().int(),
    definition: storedDefinitionSchema,
    createdAt: isoTimestampSchema,
  })
  .meta({ id: 'JourneyVersion' });
export type JourneyVersionView = z.infer<typeof journeyVersionSchema>;

export const journeyDetailSchema = journeySummarySchema
  .extend({ definition: storedDefinitionSchema })
  .meta({ id: 'Journey' });
export type JourneyDetail = z.infer<typeof journeyDetailSchema>;

export const journeyListSchema = z.object({ journeys: z.array(journeySummarySchema) });
export type JourneyList = z.infer<typeof journeyListSchema>;

export const journeyCreatedSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  status: journeyStatusSchema,
});
export type JourneyCreated = z.infer<typeof journeyCreatedSchema>;
