// Small pieces the pipeline benchmarks share: options, bounded lanes, percentiles, the machine's
// load, and the one `bench-result:` line bench/pipeline.bench.ts reads from each section.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** `--name value` as a positive integer, or the fallback. */
export function countOption(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(`--${name}`);
  const parsed = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a count`);
  return parsed;
}

/** Runs work(0..n-1) with at most `concurrency` in flight. */
export async function inLanes(
  n: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < n; index = next++) await work(index);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, lane));
}

/** Asks `check` every `intervalMs` until it is true; throws after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

export interface BenchResult {
  section: string;
  /** What the figures measure, e.g. "p99 ms" or "s to start 5000 parked runs". */
  metric: string;
  cairn: number;
  bare: number;
  /** Cairn ÷ bare, or bare ÷ Cairn for rates: see `better`. */
  ratio: number;
  /** The target for the ratio, e.g. "<= 1.3" or ">= 0.85". */
  target: string;
  met: boolean;
  [extra: string]: unknown;
}

/** The last line of a section: machine-readable figures for bench/pipeline.bench.ts. */
export function printBenchResult(result: BenchResult): void {
  console.log(`bench-result: ${JSON.stringify(result)}`);
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
