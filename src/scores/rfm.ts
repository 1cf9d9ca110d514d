import { DAY_MS } from './decay';

/**
 * The arithmetic of an RFM score, pure: what src/audience/rfm-recompute.ts computes in one SQL
 * statement over every customer, stated here so tests can hold the SQL to it.
 *
 * Each part is ranked among the customers who bought in the window, worst first (the oldest last
 * purchase, the fewest purchases, the least spent), and its quintile is
 *
 *   q = 1 + ⌊5 × worse / n⌋
 *
 * where `worse` is the number of those n customers ranked strictly worse. Equal values share a
 * quintile, the one their group starts in: 30 customers who each bought once are all F = 1, not
 * spread over 1..5 at random as NTILE(5) would spread them. The value conditions read as
 * `scores.rfm` is r + f + m (3..15); the cell is the three digits, "545".
 */

export const RFM_QUANTILES = 5;

/**
 * The event a recompute writes for a customer whose cell changed ({score_id, score_version, from,
 * to, value, previous_value}), and its source: Cairn's own, never personal data.
 */
export const SCORE_CHANGED = 'score_changed';
export const SCORE_EVENT_SOURCE = 'scores';

/** What the recompute measures of one customer's purchases in the window. */
export interface RfmMeasure {
  customerId: string;
  /** Whole days from the last purchase to the recompute (0: within the last 24 hours). */
  recencyDays: number;
  purchases: number;
  /** The sum of the purchases' amounts, rounded to a millionth (sums of money gather noise). */
  monetary: number;
}

export interface RfmCell extends RfmMeasure {
  r: number;
  f: number;
  m: number;
  /** r, f and m as three digits: "545". */
  cell: string;
  /** r + f + m: what `scores.rfm` reads. */
  value: number;
}

/** Whole days between a purchase and `now` (epoch ms). */
export function recencyDays(lastPurchaseAt: number, now: number): number {
  return Math.floor((now - lastPurchaseAt) / DAY_MS);
}

/** The quintile of a customer with `worse` of `n` customers ranked strictly below. */
export function quintileOf(worse: number, n: number): number {
  return 1 + Math.floor((RFM_QUANTILES * worse) / n);
}

/** Every measured customer's quintiles and cell, in the order given. */
export function rankRfm(measures: readonly RfmMeasure[]): RfmCell[] {
  const n = measures.length;
  // Larger is better for each of these; recency is better when fewer days have passed.
  const r = ranker(measures.map((m) => -m.recencyDays));
  const f = ranker(measures.map((m) => m.purchases));
  const mon = ranker(measures.map((m) => m.monetary));
  return measures.map((measure) => {
    const parts = {
      r: quintileOf(r(-measure.recencyDays), n),
      f: quintileOf(f(measure.purchases), n),
      m: quintileOf(mon(measure.monetary), n),
    };
    return {
      ...measure,
      ...parts,
      cell: `${parts.r}${parts.f}${parts.m}`,
      value: parts.r + parts.f + parts.m,
    };
  });
}

/** For a value among `values`: how many of them are strictly smaller. */
function ranker(values: number[]): (value: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (value) => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid]! < value) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}
