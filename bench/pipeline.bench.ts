// The whole event pipeline against its bare parts (issue 9), one section after another, each a
// child process of its own with its own servers: ingest, journeys, router (when
// bench/router.bench.ts exists), event-latency and parked-runs. Passes their output through,
// reads each section's `bench-result:` lines (or, for sections that print none, their figures),
// and ends with one table: section, Cairn, bare, ratio, target, met, with the machine's load
// average and CPU count at the start and the end.
// `npm run bench:pipeline` (full sizes, about 25 min), `-- --quick` (small sizes), `-- --only
// event-latency,parked-runs`; sizes: --events (ingest), --runs (journeys), --latency-events,
// --parked-runs, --settle-seconds. Asserts nothing; exits non-zero only if a section failed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { countOption, loadAverage, type BenchResult } from './pipeline/bench-support';
import { sectionResults } from './pipeline/section-results';

const REPO = path.resolve(__dirname, '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

interface Section {
  name: string;
  args: string[];
}

function sections(argv: string[]): Section[] {
  const quick = argv.includes('--quick');
  const size = (name: string, full: number, small: number) =>
    String(countOption(argv, name, quick ? small : full));
  const all: Section[] = [
    { name: 'ingest', args: ['bench/ingest.bench.ts', '--events', size('events', 2000, 1000)] },
    { name: 'journeys', args: ['bench/journeys.bench.ts', '--runs', size('runs', 300, 100)] },
    ...(existsSync(path.join(REPO, 'bench/router.bench.ts'))
      ? [{ name: 'router', args: ['bench/router.bench.ts', ...(quick ? ['--quick'] : [])] }]
      : []),
    {
      name: 'event-latency',
      args: ['bench/event-latency.bench.ts', '--events', size('latency-events', 500, 50)],
    },
    {
      name: 'parked-runs',
      args: [
        'bench/parked-runs.bench.ts',
        '--runs',
        size('parked-runs', 5000, 500),
        '--settle-seconds',
        size('settle-seconds', 120, 15),
      ],
    },
  ];
  const at = argv.indexOf('--only');
  if (at < 0) return all;
  const wanted = new Set((argv[at + 1] ?? '').split(',').filter(Boolean));
  const unknown = [...wanted].filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(
      `--only: no section ${unknown.join(', ')} (${all.map((s) => s.name).join(', ')})`,
    );
  return all.filter((s) => wanted.has(s.name));
}

interface SectionRun {
  name: string;
  code: number | null;
  seconds: number;
  results: BenchResult[];
}

function runSection(section: Section): Promise<SectionRun> {
  console.log(`\n=== ${section.name}: tsx ${section.args.join(' ')}`);
  const began = performance.now();
  return new Promise((resolve) => {
    const child = spawn(TSX, section.args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString('utf8');
    });
    child.on('close', (code) => {
      resolve({
        name: section.name,
        code,
        seconds: (performance.now() - began) / 1000,
        results: sectionResults(output),
      });
    });
  });
}

function figure(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function printTable(runs: SectionRun[]): void {
  const header = ['section', 'Cairn', 'bare', 'ratio', 'target', 'met?', 'measure'];
  const rows = runs.flatMap((run) =>
    run.results.length > 0
      ? run.results.map((r) => [
          r.section,
          figure(r.cairn),
          figure(r.bare),
          figure(r.ratio),
          r.target,
          r.target === 'info' ? '—' : r.met ? 'yes' : 'NO',
          r.metric,
        ])
      : [[run.name, '—', '—', '—', '—', run.code === 0 ? '?' : 'FAILED', `exit ${run.code}`]],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const chosen = sections(argv);
  const cores = os.cpus().length;
  const loadStart = loadAverage();
  console.log(
    `pipeline benchmark: ${chosen.map((s) => s.name).join(', ')}; ${cores} cores, load average ` +
      `${loadStart} at the start`,
  );
  const runs: SectionRun[] = [];
  for (const section of chosen) runs.push(await runSection(section));
  console.log('\n=== summary (compare ratios, not absolute figures, on a shared machine)');
  printTable(runs);
  for (const run of runs) console.log(`${run.name}: ${run.seconds.toFixed(0)} s, exit ${run.code}`);
  console.log(
    `${cores} cores; load average at the start ${loadStart}, at the end ${loadAverage()}`,
  );
  if (runs.some((run) => run.code !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
