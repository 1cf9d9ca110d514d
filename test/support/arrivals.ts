import type { EventEmitter } from 'node:events';

/**
 * Resolves with the first `count` items once that many have arrived (each arrival emits `event`),
 * or rejects after `timeoutMs`: peers' "wait for N messages" without polling or sleeping.
 */
export function waitForArrivals<T>(
  items: T[],
  count: number,
  arrivals: EventEmitter,
  event: string,
  timeoutMs: number,
  what: string,
): Promise<T[]> {
  if (items.length >= count) return Promise.resolve(items.slice(0, count));
  return new Promise((resolve, reject) => {
    const onArrival = () => {
      if (items.length < count) return;
      clearTimeout(timer);
      arrivals.off(event, onArrival);
      resolve(items.slice(0, count));
    };
    const timer = setTimeout(() => {
      arrivals.off(event, onArrival);
      reject(new Error(`expected ${count} ${what} within ${timeoutMs} ms, got ${items.length}`));
    }, timeoutMs);
    arrivals.on(event, onArrival);
  });
}
