/**
 * Runs `work` over `items` with at most `concurrency` in flight and answers in item order. Once
 * an answer `halts` (the dependency behind the work is down), the items not yet begun are
 * answered `skipped` at once instead of each waiting out its own deadline; those in flight finish.
 * A thrown error stops new items and is rethrown once the lanes are idle.
 */
export async function inBoundedBatch<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  options: { halts: (result: R) => boolean; skipped: (item: T, index: number) => R },
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let halted = false;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index] as T;
      if (failure) return;
      if (halted) {
        results[index] = options.skipped(item, index);
        continue;
      }
      try {
        const result = await work(item, index);
        results[index] = result;
        if (options.halts(result)) halted = true;
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}

/**
 * Runs `work` for every item with at most `limit` in flight, and resolves when all are done.
 * `work` records its failures per item; a throw still rejects the whole, once the lanes are idle.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  await inBoundedBatch(items, limit, work, { halts: () => false, skipped: () => undefined });
}
