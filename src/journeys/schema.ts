import { z } from 'zod';
import {
  channelMessageSchema,
  channelSchema,
  contentSchemas,
  emailContentSchema,
  inAppContentSchema,
  pushContentSchema,
  smsContentSchema,
  webhookContentSchema,
} from './channel-content';

/**
 * The journey language, v1. A journey is data: this schema is the single source of truth for
 * what a definition may contain, and the typed builders in builders.ts produce the same JSON.
 */

/** "90s", "30m", "24h", "2d", "1w" — a positive whole number and a unit. */
export const durationSchema = z
  .string()
  .regex(/^[1-9]\d*(s|m|h|d|w)$/, 'must be a duration such as "30m", "24h" or "2d"');
export type Duration = z.infer<typeof durationSchema>;

/** "09:00" — a wall-clock time of day, 24-hour. */
export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time of day "HH:MM"');

export const stepIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower snake_case, starting with a letter');

/**
 * A field path read by a condition. The root names the source:
 * profile.* (the customer, read fresh), trigger.* (the event that started the run),
 * event.* (the event being matched), context.* (values set during the run).
 */
export const fieldPathSchema = z
  .string()
  .regex(
    /^(profile|trigger|event|context|engagement)(\.[A-Za-z0-9_]+)+$/,
    'must start with profile., trigger., event., context. or engagement.',
  );

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z.discriminatedUnion('op', [
  z.object({
    field: fieldPathSchema,
    op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains']),
    value: scalar,
  }),
  z.object({ field: fieldPathSchema, op: z.enum(['in', 'not_in']), value: z.array(scalar).min(1) }),
  z.object({ field: fieldPathSchema, op: z.literal('exists'), value: z.boolean().default(true) }),
  /** within: the timestamp at `field` is less than `value` ago; older_than: more than. */
  z.object({ field: fieldPathSchema, op: z.enum(['within', 'older_than']), value: durationSchema }),
]);
export type Condition = z.infer<typeof conditionSchema>;

export const conditionGroupSchema = z.object({
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(conditionSchema).min(1),
});
export type ConditionGroup = z.infer<typeof conditionGroupSchema>;

export {
  channelSchema,
  emailContentSchema,
  type ChannelMessage,
  type ChannelName,
  type EmailContent,
} from './channel-content';

/** A message of a multi-message send step: its channel, content, offset and fallback. */
const planned = <T extends z.ZodRawShape>(shape: T) =>
  z.object({
    ...shape,
    /** When to send, counted from the moment the run entered the step ("1h": an hour later). */
    offset: durationSchema.optional(),
    /** Used when this message cannot go out: no address, no consent, or a permanent failure. */
    fallback: channelMessageSchema.optional(),
  });

export const plannedMessageSchema = z.discriminatedUnion('channel', [
  planned({ channel: z.literal('email'), content: emailContentSchema }),
  planned({ channel: z.literal('sms'), content: smsContentSchema }),
  planned({ channel: z.literal('push'), content: pushContentSchema }),
  planned({ channel: z.literal('webhook'), content: webhookContentSchema }),
  planned({ channel: z.literal('in_app'), content: inAppContentSchema }),
]);
export type PlannedMessageInput = z.input<typeof plannedMessageSchema>;

const stepBase = { id: stepIdSchema, name: z.string().max(200).optional() };

/**
 * A send step says either one message (`channel` + `content`, optionally a `fallback`) or several
 * (`messages`, each with its own channel, content, offset and fallback). Content is checked
 * against its channel's schema by checkSendStep, so errors name the exact field.
 */
export const sendStepSchema = z.object({
  ...stepBase,
  type: z.literal('send'),
  /** transactional messages bypass marketing topics and caps (never hard suppression). */
  kind: z.enum(['marketing', 'transactional']).default('marketing'),
  /** The subscription topic of a marketing message: it goes only to customers subscribed to it. */
  topic: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a topic id such as "newsletter"')
    .optional(),
  /**
   * Which messages wait when a frequency cap is reached: high and normal are deferred until the
   * cap allows, low are skipped. `onCap` overrides that.
   */
  priority: z.enum(['high', 'normal', 'low']).default('normal'),
  onCap: z.enum(['defer', 'skip']).optional(),
  /** false: no open pixel and no rewritten links for this step's messages. */
  tracking: z.boolean().optional(),
  channel: channelSchema.optional(),
  content: z.record(z.string(), z.json()).optional(),
  fallback: channelMessageSchema.optional(),
  messages: z.array(plannedMessageSchema).min(1).max(10).optional(),
  next: stepIdSchema.optional(),
});

export const waitStepSchema = z.object({
  ...stepBase,
  type: z.literal('wait'),
  /**
   * Exactly one of: a duration from now, an offset since the run entered, a local time of day,
   * or the customer's best hour (learned from when they open and click; `fallback` without history).
   */
  for: durationSchema.optional(),
  untilSinceEntry: durationSchema.optional(),
  untilLocalTime: localTimeSchema.optional(),
  untilBestHour: z.object({ fallback: localTimeSchema }).optional(),
  next: stepIdSchema.optional(),
});

export const waitForEventStepSchema = z.object({
  ...stepBase,
  type: z.literal('waitForEvent'),
  event: z.string().min(1),
  /**
   * Optional key match: the event's property `key` must equal the value at `equals`
   * (for example the cart id the run was triggered with).
   */
  match: z.object({ key: z.string().min(1), equals: fieldPathSchema }).optional(),
  /** Further conditions on the received event (event.* paths). */
  where: conditionGroupSchema.optional(),
  timeout: durationSchema,
  onEvent: stepIdSchema.optional(),
  onTimeout: stepIdSchema.optional(),
});

export const branchStepSchema = z.object({
  ...stepBase,
  type: z.literal('branch'),
  when: conditionGroupSchema,
  then: stepIdSchema.optional(),
  else: stepIdSchema.optional(),
});

const profileValue = z.union([scalar, z.null(), z.object({ from: fieldPathSchema })]);

export const updateProfileStepSchema = z.object({
  ...stepBase,
  type: z.literal('updateProfile'),
  /** attribute name → literal value, or { from: path } to copy from the run's data. */
  set: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), profileValue),
  next: stepIdSchema.optional(),
});

export const exitStepSchema = z.object({
  ...stepBase,
  type: z.literal('exit'),
  reason: z.string().max(100).optional(),
});

export const stepSchema = z.discriminatedUnion('type', [
  sendStepSchema,
  waitStepSchema,
  waitForEventStepSchema,
  branchStepSchema,
  updateProfileStepSchema,
  exitStepSchema,
]);
export type Step = z.infer<typeof stepSchema>;
export type SendStep = z.infer<typeof sendStepSchema>;
export type WaitStep = z.infer<typeof waitStepSchema>;
export type WaitForEventStep = z.infer<typeof waitForEventStepSchema>;
export type BranchStep = z.infer<typeof branchStepSchema>;
export type UpdateProfileStep = z.infer<typeof updateProfileStepSchema>;
export type ExitStep = z.infer<typeof exitStepSchema>;

export const sendWindowSchema = z.object({ start: localTimeSchema, end: localTimeSchema });

/** At most `limit` messages on `channel` (or on all channels together) per `window`. */
export const capRuleSchema = z.object({
  channel: z.enum(['email', 'sms', 'push', 'webhook', 'in_app', 'all']),
  limit: z.number().int().min(1).max(1000),
  window: durationSchema,
});
export type CapRuleInput = z.infer<typeof capRuleSchema>;

export const reEntrySchema = z.discriminatedUnion('mode', [
  /** A customer enters at most once, ever. */
  z.object({ mode: z.literal('once') }),
  /** A customer may enter again once the previous run ended. */
  z.object({ mode: z.literal('after_exit') }),
  /** ... and only when the previous entry is at least `cooldown` ago. */
  z.object({ mode: z.literal('cooldown'), cooldown: durationSchema }),
  /**
   * One concurrent run per value of the trigger event's property `key` (e.g. cart_id). With
   * `cooldown`, a new key starts a run only when the customer's previous entry into this journey
   * (any key) is at least `cooldown` ago.
   */
  z.object({
    mode: z.literal('keyed'),
    key: z.string().min(1),
    cooldown: durationSchema.optional(),
  }),
]);
export type ReEntry = z.infer<typeof reEntrySchema>;

export const journeyIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be lower kebab-case, 2-63 characters');

export const journeyDefinitionSchema = z
  .object({
    id: journeyIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    trigger: z
      .object({ event: z.string().min(1), when: conditionGroupSchema.optional() })
      .optional(),
    audience: conditionGroupSchema.optional(),
    reEntry: reEntrySchema.default({ mode: 'after_exit' }),
    /** Any of these events ends the run at once, even in the middle of a wait. */
    exitOn: z
      .array(z.object({ event: z.string().min(1), when: conditionGroupSchema.optional() }))
      .default([]),
    /** Reaching the goal is recorded; with exit: true it also ends the run. */
    goal: z
      .object({
        event: z.string().min(1),
        when: conditionGroupSchema.optional(),
        exit: z.boolean().default(true),
        /** Messages of this run sent (or clicked) this long before the goal get the credit; 7d. */
        within: durationSchema
          .refine((value) => parseOffset(value) <= 366 * UNIT_MS.d, 'must be at most 366 days')
          .optional(),
        /** Where the goal event carries its revenue; default event.properties.revenue. */
        revenue: z
          .string()
          .regex(
            /^event\.properties(\.[A-Za-z0-9_]+)+$/,
            'must be a path into the goal event, such as "event.properties.revenue"',
          )
          .optional(),
      })
      .optional(),
    maxDuration: durationSchema.optional(),
    /**
     * Marketing messages go out only inside this daily window in the customer's time zone
     * (quiet hours outside it); transactional ones go at once. Default: the deployment's window.
     */
    sendWindow: sendWindowSchema.optional(),
    /** false: no open and click tracking for any message of this journey. */
    tracking: z.boolean().optional(),
    /** Frequency caps of this journey, replacing the global rule for the same channel and window. */
    caps: z.array(capRuleSchema).max(10).optional(),
    entry: stepIdSchema,
    steps: z.array(stepSchema).min(1),
  })
  .superRefine(checkGraph);

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

function checkGraph(
  def: { entry: string; steps: Step[]; caps?: CapRuleInput[] },
  ctx: z.RefinementCtx,
): void {
  const ids = new Set<string>();
  def.steps.forEach((step, index) => {
    if (ids.has(step.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', index, 'id'],
        message: `duplicate step id "${step.id}"`,
      });
    }
    ids.add(step.id);
    if (step.type === 'send') checkSendStep(step, ['steps', index], ctx);
    if (step.type === 'wait') {
      const forms = [
        step.for,
        step.untilSinceEntry,
        step.untilLocalTime,
        step.untilBestHour,
      ].filter((v) => v !== undefined);
      if (forms.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index],
          message:
            'a wait step needs exactly one of "for", "untilSinceEntry", "untilLocalTime", "untilBestHour"',
        });
      }
    }
  });
  checkCaps(def.caps ?? [], ctx);
  if (!ids.has(def.entry)) {
    ctx.addIssue({ code: 'custom', path: ['entry'], message: `no step with id "${def.entry}"` });
  }
  def.steps.forEach((step, index) => {
    for (const [field, target] of Object.entries(stepTargets(step))) {
      if (target !== undefined && !ids.has(target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, field],
          message: `no step with id "${target}"`,
        });
      }
    }
  });
}

/** The outgoing edges of a step, by the field that names them. */
export function stepTargets(step: Step): Record<string, string | undefined> {
  switch (step.type) {
    case 'waitForEvent':
      return { onEvent: step.onEvent, onTimeout: step.onTimeout };
    case 'branch':
      return { then: step.then, else: step.else };
    case 'exit':
      return {};
    default:
      return { next: step.next };
  }
}

/** One message or several, never both; shorthand content must fit its channel; offsets ascend. */
function checkSendStep(step: SendStep, path: (string | number)[], ctx: z.RefinementCtx): void {
  const shorthand = step.channel !== undefined || step.content !== undefined;
  if (shorthand === (step.messages !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'a send step needs either "channel" with "content", or "messages"',
    });
    return;
  }
  if (step.messages) {
    if (step.fallback) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'fallback'],
        message: 'with "messages", put the fallback on the message it stands in for',
      });
    }
    let previous = 0;
    step.messages.forEach((message, index) => {
      const offset = message.offset ? parseOffset(message.offset) : 0;
      if (offset < previous) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'messages', index, 'offset'],
          message: 'offsets must not decrease from one message to the next',
        });
      }
      previous = Math.max(previous, offset);
    });
    return;
  }
  if (step.channel === undefined || step.content === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, step.channel === undefined ? 'channel' : 'content'],
      message: 'a single-message send step needs both "channel" and "content"',
    });
    return;
  }
  const parsed = contentSchemas[step.channel].safeParse(step.content);
  for (const issue of parsed.error?.issues ?? []) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'content', ...issue.path],
      message: issue.message,
    });
  }
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Durations were validated by durationSchema; this only orders them. */
function parseOffset(duration: string): number {
  const unit = duration.slice(-1) as keyof typeof UNIT_MS;
  return Number(duration.slice(0, -1)) * UNIT_MS[unit];
}

/** Two caps for the same channel and window length ("24h" and "1d") would be ambiguous. */
function checkCaps(caps: CapRuleInput[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  caps.forEach((cap, index) => {
    const key = `${cap.channel}/${parseOffset(cap.window)}`;
    if (seen.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['caps', index],
        message: `another cap already limits ${cap.channel} over the same window`,
      });
    }
    seen.add(key);
  });
}
