// The summary rows of one section, from the `bench-result:` lines it printed. The latency and
// parked-runs benches print rows already (metric, Cairn, bare, ratio, target); the ingest,
// journeys and router benches print their own figures, turned into rows here.
import type { BenchResult } from './bench-support';

type Printed = Record<string, unknown> & { section?: string };

const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);

function atLeast(
  section: string,
  metric: string,
  cairn: unknown,
  bare: unknown,
  min: number,
): BenchResult {
  const ratio = num(cairn) / num(bare);
  return {
    section,
    metric,
    cairn: num(cairn),
    bare: num(bare),
    ratio,
    target: `>= ${min}`,
    met: ratio >= min,
  };
}

function rowsOf(printed: Printed): BenchResult[] {
  if (typeof printed.metric === 'string' && typeof printed.target === 'string')
    return [printed as BenchResult];
  switch (printed.section) {
    case 'ingest':
      return [
        atLeast(
          'ingest:batch',
          'events/s: batch API vs multi-row INSERT',
          printed.batchApiPerSec,
          printed.insertPerSec,
          0.5,
        ),
        atLeast(
          'ingest:single',
          'events/s: single API (32 clients) vs 1-row INSERT (32 callers)',
          printed.singleApiPerSec,
          printed.oneRowPerSec,
          0.5,
        ),
      ];
    case 'journeys':
      return [
        atLeast(
          'journeys',
          'runs/s of three emails vs a bare workflow',
          printed.cairnRunsPerSecond,
          printed.bareRunsPerSecond,
          0.85,
        ),
      ];
    case 'router':
      // No bare part to compare with: the figures stand alone (and routing costs no Temporal
      // call for events no journey wants).
      return [
        {
          section: 'router',
          metric: `events/s routed: no interest ${num(printed.quietPerSecond)}, signalling ${num(printed.signallingPerSecond)}, triggering ${num(printed.triggeringPerSecond)}`,
          cairn: num(printed.quietPerSecond),
          bare: Number.NaN,
          ratio: Number.NaN,
          target: 'info',
          met: true,
        },
      ];
    default:
      return [];
  }
}

/** Every summary row the section's output holds. */
export function sectionResults(output: string): BenchResult[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('bench-result: '))
    .flatMap((line) => {
      try {
        return rowsOf(JSON.parse(line.slice('bench-result: '.length)) as Printed);
      } catch {
        return [];
      }
    });
}
