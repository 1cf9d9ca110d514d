import fc from 'fast-check';
import { advance, startRun } from '../../src/journeys/interpreter';
import type {
  Command,
  Input,
  JourneyEvent,
  RunInput,
  SendOutcome,
  Transition,
} from '../../src/journeys/run-types';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { CART_IDS, EVENT_TYPES } from './journey-arbitraries';
import { DAY, HOUR, T0 } from './helpers';

/**
 * Drives the pure interpreter the way the workflow does, from a list of random moves: answer the
 * command, deliver an event (while waiting: at a random moment of the wait), cancel, or feed an
 * input nobody asked for. When the moves run out it only answers, so every run comes to an end.
 */

export interface Move {
  kind: 'answer' | 'event' | 'unexpected' | 'cancel';
  eventType: string;
  cart: string | undefined;
  /** Picks the event id from a small pool (so ids repeat) or the trigger's own id. */
  eventId: number;
  /** Where in the current wait the event arrives, 0 = now, 1 = when the wait ends. */
  at: number;
  outcome: number;
  plan: 'pro' | 'free';
}

export const moveArb: fc.Arbitrary<Move> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant('answer' as const), weight: 12 },
    { arbitrary: fc.constant('event' as const), weight: 9 },
    { arbitrary: fc.constant('unexpected' as const), weight: 2 },
    { arbitrary: fc.constant('cancel' as const), weight: 1 },
  ),
  // The types waitForEvent steps wait for come up more often, so steps get to take events.
  eventType: fc.constantFrom(...EVENT_TYPES, 'checkout_started', 'email_opened'),
  cart: fc.constantFrom(...CART_IDS, undefined),
  eventId: fc.nat(30),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  outcome: fc.nat(5),
  plan: fc.constantFrom('pro', 'free'),
});

export interface RunSetup {
  definition: JourneyDefinition;
  input: RunInput;
  moves: Move[];
}

export const TRIGGER_ID = 'evt-trigger';

/** The run input of a journey: keyed runs get a cart, all get a trigger and a zone. */
export const setupArb = (definitionArb: fc.Arbitrary<JourneyDefinition>) =>
  fc
    .record({
      definition: definitionArb,
      cart: fc.constantFrom(...CART_IDS),
      zone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Not/AZone'),
      total: fc.constantFrom(5, 50),
      moves: fc.array(moveArb, { maxLength: 60 }),
    })
    .map(({ definition, cart, zone, total, moves }): RunSetup => {
      const keyed = definition.reEntry?.mode === 'keyed';
      const trigger: JourneyEvent = {
        id: TRIGGER_ID,
        type: 'cart_abandoned',
        customerId: 'cust-1',
        occurredAt: new Date(T0).toISOString(),
        properties: { cart_id: cart, total },
      };
      const input: RunInput = {
        definition,
        journeyVersion: 1,
        customerId: 'cust-1',
        trigger,
        defaultTimeZone: zone,
        ...(keyed ? { key: cart } : {}),
      };
      return { definition, input, moves };
    });

/** What the driver observes at each call: the arguments and what came back. */
export interface Step {
  before: Transition;
  input: Input;
  after: Transition;
  move: Move;
}

/** Stops a journey that would not end; the properties then fail on the status. */
const MAX_CALLS = 2_000;

export function drive(
  setup: RunSetup,
  call: (before: Transition, input: Input) => Transition = (t, i) =>
    advance(setup.definition, t.state, i),
  start: (input: RunInput, now: number) => Transition = startRun,
  onStep: (step: Step) => void = () => {},
): Transition[] {
  let now = T0;
  let transition = start(setup.input, now);
  const seen = [transition];
  for (let calls = 0; calls < MAX_CALLS && transition.command.kind !== 'finish'; calls += 1) {
    const move = setup.moves[calls] ?? ANSWER;
    const input = inputFor(transition.command, move, now, setup);
    now = input.now;
    const after = call(transition, input);
    onStep({ before: transition, input, after, move });
    transition = after;
    seen.push(transition);
  }
  return seen;
}

const ANSWER: Move = {
  kind: 'answer',
  eventType: 'noise',
  cart: undefined,
  eventId: 0,
  at: 0,
  outcome: 0,
  plan: 'free',
};

function inputFor(command: Command, move: Move, now: number, setup: RunSetup): Input {
  const until = command.kind === 'wait' ? command.until : now;
  switch (move.kind) {
    case 'cancel':
      return { kind: 'cancel', now, reason: 'property test' };
    case 'event':
      return {
        kind: 'event',
        now: now + Math.floor(move.at * (until - now)),
        event: eventOf(move),
      };
    case 'unexpected':
      return unexpectedFor(command, move, now);
    case 'answer':
      return answerTo(command, move, now, setup);
  }
}

function eventOf(move: Move): JourneyEvent {
  const id = move.eventId === 0 ? TRIGGER_ID : `evt-${move.eventId}`;
  return {
    id,
    type: move.eventType,
    customerId: 'cust-1',
    occurredAt: new Date(T0).toISOString(),
    properties: {
      ...(move.cart ? { cart_id: move.cart } : {}),
      total: move.outcome < 4 ? 20 : 5,
      // Opens and clicks name the step that sent them, or a delivery of the run.
      ...(move.plan === 'pro'
        ? { stepId: `s${move.eventId % 3}` }
        : { deliveryId: `s${move.eventId % 3}/1/0` }),
    },
  };
}

function answerTo(command: Command, move: Move, now: number, setup: RunSetup): Input {
  switch (command.kind) {
    case 'load_profile':
      return { kind: 'profile', now, profile: profileOf(move, setup) };
    case 'load_engagement':
      return { kind: 'engagement', now, engagedAt: [now - DAY, now - 2 * DAY - HOUR] };
    case 'send':
      return { kind: 'send_result', now, outcome: outcomeOf(command, move, now) };
    case 'update_profile':
      return { kind: 'profile_updated', now, profile: profileOf(move, setup) };
    case 'record_conversion':
      return { kind: 'conversion_recorded', now, summary: { status: 'recorded' } };
    case 'load_trigger_history':
      return { kind: 'trigger_history', now, events: [] };
    case 'wait':
      return { kind: 'timer', now: Math.max(now, command.until) };
    case 'finish':
      throw new Error('a finished run has nothing to answer');
  }
}

/** An input that does not answer the command: another command's answer, or an early timer. */
function unexpectedFor(command: Command, move: Move, now: number): Input {
  if (command.kind !== 'send') {
    const outcome: SendOutcome = { status: 'sent', deliveryId: 'stray' };
    return { kind: 'send_result', now, outcome };
  }
  return move.outcome % 2 === 0
    ? { kind: 'timer', now }
    : { kind: 'engagement', now, engagedAt: [] };
}

function profileOf(move: Move, setup: RunSetup) {
  const zones = [null, 'Europe/Berlin', 'Bad/Zone'];
  return {
    id: 'cust-1',
    timeZone: zones[move.outcome % zones.length] ?? null,
    plan: move.plan,
    first_name: 'Ada',
    ...(setup.input.key ? { cart: setup.input.key } : {}),
  };
}

/** Sent, unreachable, refused, a render error, or a deferral of one to two days. */
function outcomeOf(command: Extract<Command, { kind: 'send' }>, move: Move, now: number) {
  const deliveryId = `${command.stepId}/${command.visit}/${command.messageKey}`;
  const outcomes: SendOutcome[] = [
    { status: 'sent', deliveryId },
    { status: 'skipped', deliveryId, reason: 'no_consent' },
    { status: 'failed', deliveryId, reason: 'provider_rejected:21211' },
    { status: 'skipped', deliveryId, reason: 'render_error' },
    { status: 'deferred', deliveryId, reason: 'frequency_capped', retryAt: now + DAY },
    { status: 'deferred', deliveryId, reason: 'frequency_capped', retryAt: now + 2 * DAY },
  ];
  return outcomes[move.outcome % outcomes.length]!;
}

/** Freezes a value and everything it reaches, so any write to it throws (strict mode). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
