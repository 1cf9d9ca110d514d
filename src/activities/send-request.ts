import { z } from 'zod';
import { channelMessageSchema } from '../journeys/channel-content';
import { capRuleSchema } from '../journeys/schema';
import type { JsonObject } from '../journeys/run-types';
import { invalidRequest } from './failures';
import type { SendMessageRequest } from './types';

const text = z.string().min(1).max(500);
const jsonObject = z.record(z.string(), z.unknown());

const sendMessageRequestSchema = z.intersection(
  channelMessageSchema,
  z.object({
    deliveryKey: text,
    customerId: text,
    journeyId: text,
    journeyVersion: z.number().int().positive(),
    workflowId: text,
    stepId: text,
    messageKind: z.enum(['marketing', 'transactional']),
    topic: z.string().min(1).max(63).optional(),
    priority: z.enum(['high', 'normal', 'low']).optional(),
    onCap: z.enum(['defer', 'skip']).optional(),
    onUnknown: z.enum(['skip', 'resend']).optional(),
    tracking: z.boolean().optional(),
    caps: z.array(capRuleSchema).max(10).optional(),
    variables: z
      .object({ trigger: jsonObject.optional(), context: jsonObject.optional() })
      .passthrough(),
  }),
);

/** Validates a send request at the activity boundary; a bad request can never succeed on retry. */
export function parseSendRequest(input: unknown): SendMessageRequest {
  const parsed = sendMessageRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
    throw invalidRequest('sendMessage', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as SendMessageRequest;
}

export function templateVariables(request: SendMessageRequest): {
  trigger: JsonObject;
  context: JsonObject;
} {
  const { trigger, context } = request.variables as { trigger?: JsonObject; context?: JsonObject };
  return { trigger: trigger ?? {}, context: context ?? {} };
}
