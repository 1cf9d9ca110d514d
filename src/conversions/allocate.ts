/**
 * Splits a whole number of units in proportion to non-negative shares so the parts add up to
 * exactly `total` (largest remainder). Floating-point products never add up exactly; integer
 * units do. A tie in remainders goes to the earlier share, so the result is deterministic.
 */
export function allocateUnits(total: number, shares: readonly number[]): number[] {
  if (shares.length === 0) return [];
  const sum = shares.reduce((acc, share) => acc + share, 0);
  if (!(sum > 0)) throw new Error('allocateUnits: shares must have a positive sum');
  const exact = shares.map((share) => (total * share) / sum);
  const parts = exact.map((value) => Math.floor(value));
  const left = total - parts.reduce((acc, part) => acc + part, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  const bonus = new Set(byRemainder.slice(0, left).map((entry) => entry.index));
  return parts.map((part, index) => (bonus.has(index) ? part + 1 : part));
}
