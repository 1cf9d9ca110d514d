import { z } from 'zod';
import {
  channelMessageSchema,
  channelSchema,
  emailContentSchema,
  inAppContentSchema,
  pushContentSchema,
  smsContentSchema,
  webhookContentSchema,
} from './channel-content';
import { checkGraph } from './definition-checks';
import { aliasRefusal } from './event-names';
import { durationOrNull, MAX_CONDITION_DURATION, MAX_DURATION } from './durations';
import { checkSegmentReads } from './segment-reads';

/**
 * The journey language, v1. A journey is data: this schema is the single source of truth for
 * what a definition may contain, and the typed builders in builders.ts produce the same JSON.
 */

/**
 * "90s", "30m", "24h", "2d", "1w" — a positive whole number and a unit, at most `max`. A number
 * of digits no timer could take is refused here, never thrown at run time.
 */
function boundedDuration(max: typeof MAX_DURATION) {
  return z
    .string()
    .regex(/^[1-9]\d*(s|m|h|d|w)$/, 'must be a duration such as "30m", "24h" or "2d"')
    .refine((value) => (durationOrNull(value) ?? Infinity) <= max.ms, {
      message: `must be at most ${max.text} (${max.described})`,
      // A value that is no duration at all already has its issue: one issue per field.
      when: (payload) => payload.issues.length === 0,
    });
}

/** Every duration of a journey but a condition's: waits, offsets, timeouts, windows, limits. */
export const durationSchema = boundedDuration(MAX_DURATION);
export type Duration = z.infer<typeof durationSchema>;

const conditionDurationSchema = boundedDuration(MAX_CONDITION_DURATION);

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
 * event.* (the event being matched), context.* (values set during the run), segments.<id>
 * (whether the customer is a member now; segment-reads.ts says where it may be read).
 */
export const fieldPathSchema = z
  .string()
  .regex(
    /^(profile|trigger|event|context|engagement|segments|scores)(\.[A-Za-z0-9_]+)+$/,
    'must start with profile., trigger., event., context., engagement., segments. or scores.',
  );

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A key match on an event: the event's property `key` must equal the value at `equals`. In a
 * keyed journey `equals` defaults to the run's key (`context.<reEntry.key>`), so
 * `{ key: "cart_id" }` means "an event about this run's cart". The same shape serves
 * waitForEvent, exitOn and goal.
 */
export const eventMatchSchema = z.object({
  key: z.string().min(1),
  equals: fieldPathSchema.optional(),
});
export type EventMatch = z.infer<typeof eventMatchSchema>;

export const conditionSchema = z.discriminatedUnion('op', [
  z.object({
    field: fieldPathSchema,
    op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains']),
    value: scalar,
  }),
  z.object({ field: fieldPathSchema, op: z.enum(['in', 'not_in']), value: z.array(scalar).min(1) }),
  z.object({ field: fieldPathSchema, op: z.literal('exists'), value: z.boolean().default(true) }),
  /** within: the timestamp at `field` is less than `value` ago; older_than: more than. */
  z.object({
    field: fieldPathSchema,
    op: z.enum(['within', 'older_than']),
    value: conditionDurationSchema,
  }),
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

/** An event a definition names; an alias is refused with the canonical name to use. */
export const eventNameSchema = z
  .string()
  .min(1)
  .superRefine((name, ctx) => {
    const refusal = aliasRefusal(name);
    if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
  });

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
  /**
   * When an earlier attempt claimed a message and never recorded how it ended (its worker died
   * mid-send), the provider may or may not have it. `skip` (the default) records `unknown` and
   * sends nothing, so a customer never gets it twice; `resend` sends it again, for messages where
   * a duplicate is better than a loss (a receipt, a password reset).
   */
  onUnknown: z.enum(['skip', 'resend']).optional(),
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
  event: eventNameSchema,
  /** Optional key match (for example on the cart id the run was triggered with). */
  match: eventMatchSchema.optional(),
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

/** An event a behavioural trigger looks at besides its own: its type and conditions on it. */
const historyEventSchema = z.object({
  event: eventNameSchema,
  /** Conditions on that event (event.* paths). */
  where: conditionGroupSchema.optional(),
});

/**
 * What starts a run: an event (with conditions on it and the profile, `when`), and optionally a
 * behavioural rule over the customer's recent history, judged by src/journeys/trigger-rule.ts.
 * Windows count back from the trigger event's own time, so a late or replayed event is judged as
 * of when it happened.
 */
export const triggerSchema = z.object({
  event: eventNameSchema,
  /**
   * With event segment_entered or segment_exited: only that segment's entries or exits
   * (shorthand for a `where` on event.properties.segment_id).
   */
  segment: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a segment id such as "inactive_30d"')
    .optional(),
  when: conditionGroupSchema.optional(),
  /** Conditions every counted event meets, the trigger event included (event.* paths). */
  where: conditionGroupSchema.optional(),
  /** The trigger event and earlier ones like it (same type, meeting `where`) within the window. */
  count: z.object({ atLeast: z.number().int().min(1).max(100), within: durationSchema }).optional(),
  /** The trigger event must follow one of these within the window (a click, then a view). */
  after: historyEventSchema.extend({ within: durationSchema }).optional(),
  /**
   * Any of these events after the first event the rule counted vetoes the entry: before the
   * trigger (checked when it arrives) and until the run enters (re-checked after `delay`).
   */
  vetoedBy: z.array(historyEventSchema).min(1).max(10).optional(),
  /** The run enters this long after the trigger event happened, if nothing vetoed it meanwhile. */
  delay: durationSchema.optional(),
  /** A trigger not entered within this long of its event (a backlog, an outage) never enters. */
  expiresAfter: durationSchema.optional(),
  /**
   * Journeys with a priority compete for the same event: the highest that would start does, the
   * others are skipped (equal priorities: the lower journey id wins). Without one, no competition.
   */
  priority: z.number().int().min(1).max(1000).optional(),
  /** At most `limit` entries per customer, ever or within the window. */
  maxExecutions: z
    .object({ limit: z.number().int().min(1).max(10_000), within: durationSchema.optional() })
    .optional(),
});
export type Trigger = z.infer<typeof triggerSchema>;

export const journeyIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be lower kebab-case, 2-63 characters');

export const journeyDefinitionSchema = z
  .object({
    id: journeyIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    trigger: triggerSchema.optional(),
    audience: conditionGroupSchema.optional(),
    reEntry: reEntrySchema.default({ mode: 'after_exit' }),
    /**
     * Any of these events ends the run at once, even in the middle of a wait; with `match`, only
     * an event about this run's key (a purchase of this cart ends this cart's run only).
     */
    exitOn: z
      .array(
        z.object({
          event: eventNameSchema,
          match: eventMatchSchema.optional(),
          when: conditionGroupSchema.optional(),
        }),
      )
      .default([]),
    /** Reaching the goal is recorded; with exit: true it also ends the run. */
    goal: z
      .object({
        event: eventNameSchema,
        match: eventMatchSchema.optional(),
        when: conditionGroupSchema.optional(),
        exit: z.boolean().default(true),
        /** Messages of this run sent (or clicked) this long before the goal get the credit; 7d. */
        within: durationSchema
          .refine(
            (value) => (durationOrNull(value) ?? 0) <= 366 * 86_400_000,
            'must be at most 366 days',
          )
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
  .superRefine(checkGraph)
  .superRefine(checkSegmentReads);

export type JourneyDefinition = z.infer<typeof journeyDefinitionSchema>;
export type JourneyDefinitionInput = z.input<typeof journeyDefinitionSchema>;

export { stepTargets } from './step-targets';
