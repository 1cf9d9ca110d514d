// Figures of the sections that print no `bench-result:` line (bench/ingest.bench.ts and
// bench/journeys.bench.ts as they stand), read from their human-readable lines. A section that
// prints bench-result lines is read from those instead, and this is not used for it.
import type { BenchResult } from './bench-support';

const number = (text: string | undefined) => (text === undefined ? Number.NaN : Number(text));

function ingestResults(output: string): BenchResult[] {
  const rate = (label: RegExp) => number(label.exec(output)?.[1]);
  const batch = rate(/^batch API \(\d+\/request\)\s+(\d+)/m);
  const insert = rate(/^multi-row INSERT \(\d+\/statement\)\s+(\d+)/m);
  const single = rate(/^single API \(\d+ clients\)\s+(\d+)/m);
  const oneRow = rate(/^1-row INSERT \(\d+ callers\)\s+(\d+)/m);
  const results: BenchResult[] = [];
  if (Number.isFinite(batch) && Number.isFinite(insert)) {
    results.push({
      section: 'ingest:batch',
      metric: 'events/s: batch API vs multi-row INSERT',
      cairn: batch,
      bare: insert,
      ratio: batch / insert,
      target: '>= 0.5',
      met: batch / insert >= 0.5,
    });
  }
  if (Number.isFinite(single) && Number.isFinite(oneRow)) {
    results.push({
      section: 'ingest:single',
      metric: 'events/s: single API vs 1-row INSERT',
      cairn: single,
      bare: oneRow,
      ratio: single / oneRow,
      target: '>= 0.5',
      met: single / oneRow >= 0.5,
    });
  }
  return results;
}

function journeysResults(output: string): BenchResult[] {
  const rate = (label: string) =>
    number(
      new RegExp(`^${label}\\s+\\d+ runs in [\\d.]+ s .*?: ([\\d.]+) runs/s`, 'm').exec(
        output,
      )?.[1],
    );
  const cairn = rate('Cairn');
  const bare = rate('bare');
  if (!Number.isFinite(cairn) || !Number.isFinite(bare)) return [];
  return [
    {
      section: 'journeys',
      metric: 'runs/s of three emails',
      cairn,
      bare,
      ratio: cairn / bare,
      target: '>= 0.85',
      met: cairn / bare >= 0.85,
    },
  ];
}

export function legacyResults(section: string, output: string): BenchResult[] {
  if (section === 'ingest') return ingestResults(output);
  if (section === 'journeys') return journeysResults(output);
  return [];
}
