import type { ChannelMessage, ChannelName } from './channel-content';
import type { CapRuleInput, JourneyDefinition } from './schema';
import type { SendWindow } from './send-window';

/**
 * The contract between the pure interpreter and whoever drives it (the Temporal workflow in
 * production, a virtual clock in tests and previews). All times are epoch milliseconds (UTC);
 * the interpreter never reads a clock of its own.
 */

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A behaviour or engagement event as a journey sees it. */
export interface JourneyEvent {
  id: string;
  type: string;
  customerId: string;
  /** ISO-8601 timestamp of when the event happened. */
  occurredAt: string;
  properties: JsonObject;
}

/** The customer as conditions see it: profile.* paths resolve against this object. */
export interface ProfileSnapshot {
  id: string;
  timeZone: string | null;
  /** attributes are flattened into the profile for conditions: profile.first_name, ... */
  [field: string]: JsonValue | undefined;
}

export interface RunInput {
  definition: JourneyDefinition;
  journeyVersion: number;
  customerId: string;
  /** The key of a keyed journey (e.g. the cart id), when the journey is keyed. */
  key?: string;
  trigger?: JourneyEvent;
  /** Zone used for local-time waits when the profile has none. */
  defaultTimeZone: string;
  /** How long a send keeps retrying through a provider outage before the step records a failure. */
  sendPolicy?: SendPolicy;
  /** The deployment's send window for marketing messages, unless the journey sets its own. */
  defaultSendWindow?: SendWindow;
  /**
   * Which commands the run gives Temporal (src/workflows/history-shape.ts); set by the starter,
   * absent in runs started before it was (they ask a patch instead). The interpreter ignores it.
   */
  historyShape?: number;
}

export interface SendPolicy {
  /** Attempts of one message, the first included. */
  maximumAttempts: number;
  /** The longest pause between two attempts, in seconds (backoff doubles up to it). */
  maximumIntervalSeconds: number;
}

export type RunStatus = 'running' | 'completed' | 'exited' | 'cancelled' | 'failed';

/** Why a run finished. */
export type FinishReason =
  | 'completed'
  | 'exit_step'
  | 'exit_event'
  | 'goal_reached'
  | 'max_duration'
  | 'cancelled'
  | 'audience_mismatch'
  /** The trigger event does not satisfy trigger.when (checked again at start, fail closed). */
  | 'trigger_mismatch'
  /** Too many steps without a wait in one decision (a zero-time loop); status 'failed'. */
  | 'step_limit'
  /** Too many messages sent without a wait (a send that loops); status 'failed'. */
  | 'send_limit'
  /** Neither the profile's zone nor the run's default zone is a valid IANA zone; status 'failed'. */
  | 'invalid_time_zone'
  /** A veto event of the trigger rule happened before the run entered (trigger.vetoedBy). */
  | 'vetoed'
  /** The entry came later than the trigger's expiresAfter allows. */
  | 'trigger_expired';

/** One entry of the decision trace: what the run decided, and the values it saw. */
export interface Decision {
  at: number;
  stepId: string | null;
  kind:
    | 'entered'
    | 'step_started'
    | 'condition'
    | 'branch'
    | 'wait_scheduled'
    | 'event_matched'
    | 'event_ignored'
    | 'timeout'
    | 'send_result'
    | 'send_fallback'
    | 'send_deferred'
    | 'best_hour'
    | 'engagement'
    | 'conversion'
    | 'quiet_hours'
    | 'profile_updated'
    | 'goal'
    /** An input the run did not ask for (a send result while waiting, an early timer): changed nothing. */
    | 'input_unexpected'
    | 'finished';
  /** Human-readable one-liner, safe to show (never contains PII values). */
  summary: string;
  /** For conditions: each condition, the value it saw, and the outcome. */
  detail?: JsonObject;
}

export interface ConditionOutcome {
  field: string;
  op: string;
  expected: JsonValue;
  /** The value the condition saw; undefined (missing) is reported as null with missing: true. */
  actual: JsonValue;
  missing: boolean;
  passed: boolean;
}

export interface RunState {
  journeyId: string;
  journeyVersion: number;
  customerId: string;
  key: string | null;
  enteredAt: number;
  status: RunStatus;
  finishReason: FinishReason | null;
  currentStepId: string | null;
  /** When the current step began (for waits and timeouts). */
  stepStartedAt: number;
  /** How many times each step has been entered; a send's ledger key includes this visit number. */
  visits: Record<string, number>;
  /** Values set during the run (context.*), starting with the trigger key. */
  context: JsonObject;
  trigger: JourneyEvent | null;
  /** The most recent profile the driver supplied. */
  profile: ProfileSnapshot | null;
  defaultTimeZone: string;
  /** The deployment's send window given at entry (the journey's own `sendWindow` wins). */
  defaultSendWindow?: SendWindow | null;
  goalReachedAt: number | null;
  /** The most recent decisions, oldest first; capped at MAX_TRACE (older entries are dropped). */
  trace: Decision[];
  /** The command the driver is carrying out now; re-issued when an input changes nothing. */
  pendingCommand: Command | null;
  /** Ids of recently received events (bounded), so a redelivered event is ignored. */
  seenEventIds: string[];
  /** How many decisions were dropped from the front of the trace. */
  traceDropped: number;
  /** Steps entered since the run last waited on a timer; guards loops through branches and sends. */
  stepsSinceWait: number;
  /** Messages sent since the run last waited on a timer (absent until its first send). */
  sendsSinceWait?: number;
  /** Which step sent each of this run's deliveries, so engagement events naming one find it. */
  deliverySteps?: Record<string, string>;
  /** Opens and clicks of this run's messages, by step (epoch ms of the first of each). */
  engagement?: Record<string, { opened?: number; clicked?: number }>;
  /**
   * A goal event whose conversion is yet to be recorded. While it is set, the run's command is
   * record_conversion; pendingCommand stays what the run does once it is recorded.
   */
  pendingConversion?: PendingConversion | null;
  /** Inside a send step: which message is next, and whether its fallback is being sent. */
  sendCursor?: { index: number; fallback: boolean } | null;
  /** Set while the run waits to enter (trigger.delay): when the delay is over. */
  entryDelay?: { until: number } | null;
  /**
   * A waitForEvent whose `where` reads segments.<id> loads the profile when its event arrives:
   * the events it decides on once the profile is in, oldest first (the first one asked for it,
   * the rest arrived while it loaded). Absent while no profile is being loaded for them.
   */
  eventsAwaitingProfile?: JourneyEvent[] | null;
}

export interface PendingConversion {
  /** The goal event; its occurredAt is the conversion time. */
  event: JourneyEvent;
  /** Messages sent (or clicked) this long before the goal are credited. */
  windowMs: number;
  /** Where the goal event carries its revenue, e.g. event.properties.revenue. */
  revenuePath: string;
}

/** What the driver must do next. */
export type Command =
  /** Load the customer's profile now and feed it back with a `profile` input. */
  | { kind: 'load_profile' }
  /** Load when the customer engaged lately (opens, clicks); feed it back with `engagement`. */
  | { kind: 'load_engagement'; stepId: string }
  /** Send a message; feed the outcome back with a `send_result` input. */
  | {
      kind: 'send';
      stepId: string;
      visit: number;
      /** Which message of the step, e.g. "0" or "1-fallback": part of the delivery key. */
      messageKey: string;
      channel: ChannelName;
      messageKind: 'marketing' | 'transactional';
      content: ChannelMessage['content'];
      /** The subscription topic the customer must be subscribed to (marketing only). */
      topic?: string;
      priority: 'high' | 'normal' | 'low';
      /** What a reached frequency cap does to this message. */
      onCap: 'defer' | 'skip';
      /** Set only to resend a message whose earlier attempt ended unknown (default: skip). */
      onUnknown?: 'resend';
      /** Open and click tracking for this message (off when the journey or step says so). */
      tracking: boolean;
      /** The journey's own cap rules, replacing the global ones for the same channel and window. */
      caps?: CapRuleInput[];
      /** Variables for the template, beyond the profile the activity loads itself. */
      variables: JsonObject;
    }
  /** Apply these attribute changes to the profile; feed back `profile_updated`. */
  | { kind: 'update_profile'; stepId: string; visit: number; set: JsonObject }
  /**
   * Wait until `until` (or an event of one of `events`, if any, or any event in `listen`).
   * Feed `timer` when the time comes and `event` when an event arrives.
   */
  | {
      kind: 'wait';
      stepId: string;
      until: number;
      events: string[];
      /** A message held back until the wait ends (quiet hours), recorded on its delivery. */
      hold?: HeldMessage;
    }
  /**
   * Load the customer's events of these types that happened from `since` (epoch ms) on, the
   * newest per type first, and feed them back with a `trigger_history` input.
   */
  | { kind: 'load_trigger_history'; types: string[]; since: number }
  /** Credit the run's messages with the goal it reached; feed back `conversion_recorded`. */
  | ({ kind: 'record_conversion' } & PendingConversion)
  | { kind: 'finish'; status: RunStatus; reason: FinishReason };

/** The message a quiet-hours wait holds back: the delivery it will be, and why it waits. */
export interface HeldMessage {
  stepId: string;
  visit: number;
  messageKey: string;
  channel: ChannelName;
  messageKind: 'marketing' | 'transactional';
  reason: 'quiet_hours_deferred';
}

export type Input =
  | { kind: 'profile'; now: number; profile: ProfileSnapshot }
  | { kind: 'send_result'; now: number; outcome: SendOutcome }
  | { kind: 'profile_updated'; now: number; profile: ProfileSnapshot }
  | { kind: 'timer'; now: number }
  /** The driver carried out record_conversion; `summary` says what was credited. */
  | { kind: 'conversion_recorded'; now: number; summary: JsonObject }
  /** Epoch ms of the customer's recent opens and clicks, newest first. */
  | { kind: 'engagement'; now: number; engagedAt: number[] }
  | { kind: 'trigger_history'; now: number; events: JourneyEvent[] }
  | { kind: 'event'; now: number; event: JourneyEvent }
  | { kind: 'cancel'; now: number; reason?: string };

export interface SendOutcome {
  /** deferred: not now (a frequency cap); send the same message again at `retryAt`. */
  status: 'sent' | 'skipped' | 'failed' | 'deferred';
  deliveryId: string;
  /** Machine-readable reason for a skip, failure or deferral (no_email, frequency_capped, ...). */
  reason?: string;
  /** With deferred: epoch ms when the message may go. */
  retryAt?: number;
}

export interface Transition {
  state: RunState;
  command: Command;
}
