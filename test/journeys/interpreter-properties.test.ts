import fc from 'fast-check';
import { parseDuration } from '../../src/journeys/durations';
import { advance, startRun } from '../../src/journeys/interpreter';
import { simulate } from '../../src/journeys/preview';
import type { Transition } from '../../src/journeys/run-types';
import { journeyArb } from './journey-arbitraries';
import { deepFreeze, drive, setupArb, TRIGGER_ID, type Step } from './property-driver';
import { DAY, T0, profile } from './helpers';

/**
 * Properties of the pure interpreter over random journeys, random event sequences and random
 * send outcomes (journey-arbitraries.ts, property-driver.ts). A thousand cases each.
 */
const RUNS = { numRuns: 1000 };

const withoutTrace = ({ state, command }: Transition) => ({
  state: { ...state, trace: [], traceDropped: 0 },
  command,
});

describe('the interpreter, on random journeys and inputs', () => {
  it('detects a write to a frozen input (the purity check below is not vacuous)', () => {
    const seen: { opened?: number } = {};
    const state = deepFreeze({ engagement: { s0: seen } });
    expect(() => {
      state.engagement.s0.opened ??= 1;
    }).toThrow(TypeError);
  });

  it('never changes its arguments: startRun and advance run on deep-frozen inputs', () => {
    fc.assert(
      fc.property(setupArb(journeyArb), (setup) => {
        deepFreeze(setup);
        const snapshot = JSON.stringify(setup);
        drive(
          setup,
          (before, input) => advance(setup.definition, deepFreeze(before).state, deepFreeze(input)),
          (input, now) => startRun(input, now),
        );
        expect(JSON.stringify(setup)).toBe(snapshot);
      }),
      RUNS,
    );
  });

  it('gives the same outputs for the same inputs', () => {
    fc.assert(
      fc.property(setupArb(journeyArb), (setup) => {
        expect(JSON.stringify(startRun(setup.input, T0))).toBe(
          JSON.stringify(startRun(setup.input, T0)),
        );
        drive(setup, (before, input) => {
          const once = advance(setup.definition, before.state, input);
          const twice = advance(setup.definition, before.state, input);
          expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
          return once;
        });
      }),
      RUNS,
    );
  });

  it('ends every run within its maxDuration, whatever happens on the way', () => {
    fc.assert(
      fc.property(setupArb(journeyArb), (setup) => {
        const deadline = T0 + parseDuration(setup.definition.maxDuration!);
        const steps: Step[] = [];
        const seen = drive(setup, undefined, undefined, (step) => steps.push(step));
        const last = seen[seen.length - 1]!;
        expect(last.command.kind).toBe('finish');
        expect(last.state.status).not.toBe('running');
        for (const { input, after } of steps) {
          expect(input.now).toBeLessThanOrEqual(deadline);
          if (after.command.kind === 'wait')
            expect(after.command.until).toBeLessThanOrEqual(deadline);
        }
      }),
      RUNS,
    );
  });

  it('lets an input nobody asked for change nothing but the trace, and traces it', () => {
    fc.assert(
      fc.property(setupArb(journeyArb), (setup) => {
        drive(setup, undefined, undefined, ({ before, after, move }) => {
          if (move.kind !== 'unexpected') return;
          if (before.state.status !== 'running') {
            // A finished run takes no more input at all.
            expect(after).toEqual(before);
          } else if (after.state.status === 'running') {
            expect(withoutTrace(after)).toEqual(withoutTrace(before));
            expect(after.state.trace.at(-1)?.kind).toBe('input_unexpected');
          } else {
            // The only thing any input can end a running run with here is its maxDuration.
            expect(after.state.finishReason).toBe('max_duration');
          }
        });
      }),
      RUNS,
    );
  });

  it('never reports its own trigger as a duplicate', () => {
    fc.assert(
      fc.property(setupArb(journeyArb), (setup) => {
        const seen = drive(setup);
        const trace = seen[seen.length - 1]!.state.trace;
        const aboutTrigger = trace.filter((d) => d.detail?.eventId === TRIGGER_ID);
        expect(aboutTrigger.filter((d) => d.kind !== 'entered')).toEqual([]);
      }),
      RUNS,
    );
  });

  it('ends within its maxDuration in simulate() too, with random events and send outcomes', () => {
    const outcomes = ['sent', 'skipped', 'failed', 'deferred'] as const;
    fc.assert(
      fc.property(
        journeyArb,
        fc.array(
          fc.record({
            at: fc.nat(3 * DAY),
            type: fc.constantFrom('purchase', 'unsubscribe', 'checkout_started'),
          }),
          {
            maxLength: 8,
          },
        ),
        fc.array(fc.constantFrom(...outcomes), { minLength: 1, maxLength: 6 }),
        (definition, events, sendOutcomes) => {
          const deadline = T0 + parseDuration(definition.maxDuration!);
          let sends = 0;
          const result = simulate(definition, {
            profile: profile({ plan: 'pro' }),
            key: 'c1',
            now: T0,
            horizonMs: parseDuration(definition.maxDuration!) + DAY,
            events: events.map((e, i) => ({
              at: T0 + e.at,
              event: {
                id: `sim-${i}`,
                type: e.type,
                customerId: 'cust-1',
                occurredAt: new Date(T0 + e.at).toISOString(),
                properties: { cart_id: i % 2 === 0 ? 'c1' : 'c2', total: 20 },
              },
            })),
            sendOutcome: (command, at) => {
              const status = sendOutcomes[sends++ % sendOutcomes.length]!;
              const deliveryId = `${command.stepId}/${command.visit}/${command.messageKey}`;
              return status === 'deferred'
                ? { status, deliveryId, reason: 'frequency_capped', retryAt: at + DAY }
                : { status, deliveryId, ...(status === 'sent' ? {} : { reason: 'no_consent' }) };
            },
          });
          expect(result.reachedHorizon).toBe(false);
          expect(result.finalState.status).not.toBe('running');
          expect(result.timeline.every((entry) => entry.at <= deadline)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
