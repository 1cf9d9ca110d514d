import { advance, startRun } from './interpreter';
import type { ChannelMessage, ChannelName } from './channel-content';
import type {
  Command,
  Decision,
  Input,
  JourneyEvent,
  JsonObject,
  ProfileSnapshot,
  RunState,
  SendOutcome,
  Transition,
} from './run-types';
import type { JourneyDefinition } from './schema';

/**
 * "Preview the next 30 days": drives the interpreter on a virtual clock, with the profile and
 * events given up front, and reports every command and decision with its virtual time. The
 * same driver runs the unit tests, so a preview behaves exactly like a run.
 *
 * Commands take no virtual time; events are delivered in time order, each at max(at, clock),
 * while the run waits (like the workflow, which drains its inbox between commands). An event at
 * the very moment a wait ends arrives after the timer.
 */

export interface SimulatedEvent {
  at: number;
  event: JourneyEvent;
}

export interface SimulateOptions {
  profile: ProfileSnapshot;
  trigger?: JourneyEvent;
  events?: SimulatedEvent[];
  /** Cancel the run at this virtual time. */
  cancelAt?: number;
  /** How far ahead to look, from `now`. */
  horizonMs: number;
  now: number;
  /** When the customer opened or clicked before (epoch ms), for best-hour waits. */
  engagedAt?: number[];
  /** The outcome of each send; default: every send succeeds. */
  sendOutcome?: (command: Extract<Command, { kind: 'send' }>, at: number) => SendOutcome;
  /**
   * What recording a goal's conversion reports (a real run gets the attribution activity's
   * summary); default `{ status: 'previewed' }`: a preview credits nothing.
   */
  conversionSummary?: (
    command: Extract<Command, { kind: 'record_conversion' }>,
    at: number,
  ) => JsonObject;
  customerId?: string;
  journeyVersion?: number;
  key?: string;
  defaultTimeZone?: string;
}

export interface TimelineEntry {
  at: number;
  command: Command;
}

export interface SimulationResult {
  /** Every command the run issued, in order, with the virtual time it was issued at. */
  timeline: TimelineEntry[];
  /** Only the sends: the messages the customer would get. */
  sends: {
    at: number;
    stepId: string;
    visit: number;
    channel: ChannelName;
    /** The email subject, push or in-app title, SMS text or webhook endpoint (unrendered). */
    subject: string;
  }[];
  decisions: Decision[];
  finalState: RunState;
  /** True when the run was still going at the horizon. */
  reachedHorizon: boolean;
}

/** A safety net for previews of journeys that cycle through waits forever. */
const MAX_COMMANDS = 10_000;

export function simulate(
  definition: JourneyDefinition,
  options: SimulateOptions,
): SimulationResult {
  const horizon = options.now + options.horizonMs;
  const queue = [...(options.events ?? [])].sort((a, b) => a.at - b.at);
  let profile = options.profile;
  let clock = options.now;
  let cancelPending = options.cancelAt !== undefined;
  const timeline: TimelineEntry[] = [];
  let transition: Transition = startRun(
    {
      definition,
      journeyVersion: options.journeyVersion ?? 1,
      customerId: options.customerId ?? options.profile.id,
      ...(options.key !== undefined ? { key: options.key } : {}),
      ...(options.trigger ? { trigger: options.trigger } : {}),
      defaultTimeZone: options.defaultTimeZone ?? 'UTC',
    },
    clock,
  );
  const feed = (input: Input) => (transition = advance(definition, transition.state, input));

  for (let issued = 0; issued < MAX_COMMANDS; issued += 1) {
    const { command } = transition;
    // An input that changes nothing re-issues the very same command object: list it once.
    if (timeline[timeline.length - 1]?.command !== command) timeline.push({ at: clock, command });
    if (command.kind === 'finish') return result(timeline, transition.state, false);
    if (command.kind !== 'wait') {
      feed(respond(command, clock));
      continue;
    }
    const nextEvent = queue[0];
    const cancelAt = cancelPending ? (options.cancelAt as number) : Infinity;
    const wakeAt = Math.min(
      command.until,
      nextEvent ? Math.max(nextEvent.at, clock) : Infinity,
      Math.max(cancelAt, clock),
    );
    if (wakeAt > horizon) return result(timeline, transition.state, true);
    clock = wakeAt;
    if (cancelPending && cancelAt <= clock) {
      cancelPending = false;
      feed({ kind: 'cancel', now: clock, reason: 'preview' });
    } else if (nextEvent && nextEvent.at <= clock) {
      queue.shift();
      feed({ kind: 'event', now: clock, event: nextEvent.event });
    } else {
      feed({ kind: 'timer', now: clock });
    }
  }
  throw new Error(`preview stopped after ${MAX_COMMANDS} commands: the journey does not settle`);

  function respond(command: Exclude<Command, { kind: 'wait' | 'finish' }>, at: number): Input {
    switch (command.kind) {
      case 'load_profile':
        return { kind: 'profile', now: at, profile };
      case 'load_engagement':
        return { kind: 'engagement', now: at, engagedAt: options.engagedAt ?? [] };
      case 'update_profile':
        profile = { ...profile, ...command.set };
        return { kind: 'profile_updated', now: at, profile };
      case 'load_trigger_history':
        // What a real run would find: the simulated events that have happened by now.
        return {
          kind: 'trigger_history',
          now: at,
          events: (options.events ?? [])
            .filter((e) => e.at <= at && command.types.includes(e.event.type))
            .map((e) => e.event)
            .filter((e) => Date.parse(e.occurredAt) >= command.since),
        };
      case 'record_conversion':
        return {
          kind: 'conversion_recorded',
          now: at,
          summary: options.conversionSummary?.(command, at) ?? { status: 'previewed' },
        };
      case 'send':
        return {
          kind: 'send_result',
          now: at,
          outcome: options.sendOutcome?.(command, at) ?? {
            status: 'sent',
            deliveryId: `${command.stepId}:${command.visit}`,
          },
        };
    }
  }
}

function result(
  timeline: TimelineEntry[],
  state: RunState,
  reachedHorizon: boolean,
): SimulationResult {
  const sends = timeline.flatMap(({ at, command }) =>
    command.kind === 'send'
      ? [
          {
            at,
            stepId: command.stepId,
            visit: command.visit,
            channel: command.channel,
            subject: headline(command.content),
          },
        ]
      : [],
  );
  return { timeline, sends, decisions: state.trace, finalState: state, reachedHorizon };
}

function headline(content: ChannelMessage['content']): string {
  if ('subject' in content) return content.subject;
  if ('title' in content) return content.title;
  if ('text' in content) return content.text;
  return content.endpoint;
}
