import fc from 'fast-check';
import type { JourneyDefinition, JourneyDefinitionInput } from '../../src/journeys/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';

/**
 * Random journeys for the property tests: every step type, keyed and unkeyed, exitOn and goals
 * (with and without a key match), quiet hours, multi-message sends with fallbacks, and always a
 * maxDuration. Steps point forward; only waits that always take time (`for`, waitForEvent
 * timeouts) may point back, so a journey can loop but never without waiting, and every run is
 * short enough to drive a thousand of them in CI time.
 */

type StepInput = JourneyDefinitionInput['steps'][number];

/** Event types the journeys react to, plus one nothing listens to. */
export const EVENT_TYPES = [
  'purchase',
  'unsubscribe',
  'checkout_started',
  'email_opened',
  'email_clicked',
  'noise',
];
export const CART_IDS = ['c1', 'c2'];

const email = { subject: 'Hi {{profile.first_name}}', html: '<p>Hi</p>' };
const sms = { text: 'Hi there' };

/** A step id among `options`, or none (the run ends there). */
const target = (options: number[]): fc.Arbitrary<string | undefined> =>
  options.length === 0
    ? fc.constant(undefined)
    : fc.option(fc.constantFrom(...options.map((i) => `s${i}`)), { nil: undefined });

function forward(index: number, count: number): number[] {
  return Array.from({ length: count - index - 1 }, (_, i) => index + 1 + i);
}

function anywhere(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

const sendStep = (id: string, next: fc.Arbitrary<string | undefined>) =>
  fc
    .record({
      next,
      multi: fc.boolean(),
      kind: fc.constantFrom('marketing', 'transactional'),
      priority: fc.constantFrom('high', 'normal', 'low'),
    })
    .map(({ next, multi, kind, priority }): StepInput => ({
      id,
      type: 'send',
      kind,
      priority,
      ...(multi
        ? {
            messages: [
              { channel: 'email', content: email },
              {
                channel: 'sms',
                content: sms,
                offset: '1h',
                fallback: { channel: 'email', content: email },
              },
            ],
          }
        : { channel: 'email', content: email }),
      ...(next ? { next } : {}),
    }));

const waitStep = (id: string, index: number, count: number) =>
  fc.oneof(
    fc
      .record({ for: fc.constantFrom('30m', '2h', '1d'), next: target(anywhere(count)) })
      .map(({ for: duration, next }): StepInput => ({
        id,
        type: 'wait',
        for: duration,
        ...(next ? { next } : {}),
      })),
    fc
      .record({
        form: fc.constantFrom<Partial<StepInput>>(
          { untilSinceEntry: '3h' },
          { untilLocalTime: '09:00' },
          { untilBestHour: { fallback: '10:00' } },
        ),
        next: target(forward(index, count)),
      })
      .map(
        ({ form, next }) => ({ id, type: 'wait', ...form, ...(next ? { next } : {}) }) as StepInput,
      ),
  );

const waitForEventStep = (id: string, count: number, keyed: boolean) =>
  fc
    .record({
      event: fc.constantFrom('checkout_started', 'email_opened', 'purchase'),
      match: fc.boolean(),
      where: fc.boolean(),
      timeout: fc.constantFrom('1h', '1d'),
      onEvent: target(anywhere(count)),
      onTimeout: target(anywhere(count)),
    })
    .map((s): StepInput => ({
      id,
      type: 'waitForEvent',
      event: s.event,
      timeout: s.timeout,
      ...(s.match ? { match: keyed ? { key: 'cart_id' } : keyMatchedByTrigger } : {}),
      ...(s.where
        ? { where: { conditions: [{ field: 'event.properties.total', op: 'gte', value: 10 }] } }
        : {}),
      ...(s.onEvent ? { onEvent: s.onEvent } : {}),
      ...(s.onTimeout ? { onTimeout: s.onTimeout } : {}),
    }));

const keyMatchedByTrigger = { key: 'cart_id', equals: 'trigger.properties.cart_id' };

const branchStep = (id: string, index: number, count: number) =>
  fc
    .record({
      field: fc.constantFrom('profile.plan', 'engagement.s0.opened', 'trigger.properties.total'),
      then: target(forward(index, count)),
      else: target(forward(index, count)),
    })
    .map((s): StepInput => ({
      id,
      type: 'branch',
      when: { conditions: [{ field: s.field, op: 'eq', value: 'pro' }] },
      ...(s.then ? { then: s.then } : {}),
      ...(s.else ? { else: s.else } : {}),
    }));

const updateProfileStep = (id: string, index: number, count: number) =>
  fc
    .record({
      from: fc.constantFrom('trigger.properties.total', 'context.last_event.id', 'literal'),
      next: target(forward(index, count)),
    })
    .map(({ from, next }): StepInput => ({
      id,
      type: 'updateProfile',
      set: from === 'literal' ? { plan: 'pro' } : { seen: { from } },
      ...(next ? { next } : {}),
    }));

function stepAt(index: number, count: number, keyed: boolean): fc.Arbitrary<StepInput> {
  const id = `s${index}`;
  return fc.oneof(
    { arbitrary: sendStep(id, target(forward(index, count))), weight: 3 },
    { arbitrary: waitStep(id, index, count), weight: 3 },
    { arbitrary: waitForEventStep(id, count, keyed), weight: 2 },
    { arbitrary: branchStep(id, index, count), weight: 2 },
    { arbitrary: updateProfileStep(id, index, count), weight: 1 },
    { arbitrary: fc.constant<StepInput>({ id, type: 'exit', reason: 'done' }), weight: 1 },
  );
}

const journeyRules = (keyed: boolean) =>
  fc.record({
    exitOn: fc.subarray([
      { event: 'unsubscribe' },
      { event: 'purchase', ...(keyed ? { match: { key: 'cart_id' } } : {}) },
    ]),
    goal: fc.option(
      fc.record({
        event: fc.constantFrom('purchase', 'checkout_started'),
        exit: fc.boolean(),
        ...(keyed ? { match: fc.constant({ key: 'cart_id' }) } : {}),
      }),
      { nil: undefined },
    ),
    maxDuration: fc.constantFrom('6h', '1d', '3d'),
    sendWindow: fc.option(fc.constant({ start: '08:00', end: '21:00' }), { nil: undefined }),
    audience: fc.option(
      fc.constant({
        conditions: [{ field: 'profile.first_name', op: 'exists' as const, value: true }],
      }),
      { nil: undefined },
    ),
  });

/** A valid journey definition (it fails the test if the schema rejects it). */
export const journeyArb: fc.Arbitrary<JourneyDefinition> = fc
  .record({ count: fc.integer({ min: 1, max: 7 }), keyed: fc.boolean() })
  .chain(({ count, keyed }) =>
    fc
      .record({
        steps: fc.tuple(...anywhere(count).map((i) => stepAt(i, count, keyed))),
        rules: journeyRules(keyed),
      })
      .map(({ steps, rules }) =>
        parseJourneyDefinition({
          id: 'prop-journey',
          name: 'Property journey',
          entry: 's0',
          steps,
          ...(keyed ? { reEntry: { mode: 'keyed', key: 'cart_id' } } : {}),
          exitOn: rules.exitOn,
          maxDuration: rules.maxDuration,
          ...(rules.goal ? { goal: rules.goal } : {}),
          ...(rules.sendWindow ? { sendWindow: rules.sendWindow } : {}),
          ...(rules.audience ? { audience: rules.audience } : {}),
        }),
      ),
  );
