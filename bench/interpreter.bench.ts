// How fast the pure interpreter decides: whole abandoned-cart runs previewed on a virtual clock,
// and single decisions. Every workflow task replays these decisions, so they must stay cheap.
// Run with `npm run bench`; prints figures, asserts nothing.
import { performance } from 'node:perf_hooks';
import { abandonedCart, welcomeSeries } from '../src/journeys/library';
import { simulate } from '../src/journeys/preview';
import type { JourneyDefinition, JourneyEvent } from '../src/journeys';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-05T10:00:00Z');

function trigger(type: string, index: number): JourneyEvent {
  return {
    id: `bench-${index}`,
    type,
    customerId: `c-${index}`,
    occurredAt: new Date(T0).toISOString(),
    properties: {
      cart_id: `cart-${index}`,
      cart_value: 80,
      cart_items: [{ name: 'Lamp', price: 80 }],
    },
  };
}

function measure(name: string, definition: JourneyDefinition, type: string, runs: number): void {
  let decisions = 0;
  let sends = 0;
  for (let i = 0; i < 200; i += 1) simulate(definition, options(type, i)); // warm-up
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) {
    const result = simulate(definition, options(type, i));
    decisions += result.decisions.length;
    sends += result.sends.length;
  }
  const ms = performance.now() - started;
  console.log(
    `${name.padEnd(16)} ${runs} runs in ${ms.toFixed(0)} ms: ` +
      `${((runs / ms) * 1000).toFixed(0)} runs/s, ${((decisions / ms) * 1000).toFixed(0)} decisions/s, ` +
      `${(ms / runs).toFixed(3)} ms/run, ${(sends / runs).toFixed(1)} sends/run`,
  );
}

function options(type: string, index: number) {
  return {
    profile: { id: `c-${index}`, timeZone: 'America/New_York', profile_completed: false },
    trigger: trigger(type, index),
    horizonMs: 30 * DAY,
    now: T0,
    customerId: `c-${index}`,
    key: `cart-${index}`,
  };
}

const runs = Number(process.env.BENCH_RUNS ?? 5_000);
console.log(
  `interpreter benchmark, ${runs} previewed runs each (30-day horizon), node ${process.version}`,
);
measure('abandoned-cart', abandonedCart, 'cart_abandoned', runs);
measure('welcome-series', welcomeSeries, 'user_signup', runs);
