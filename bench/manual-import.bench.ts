// How fast a manual segment takes a CSV file of ids through the API, against the target of a
// million ids in under a minute and against a bare COPY of the same ids. A database of its own
// (created, migrated, dropped) gets N customers by COPY; the API (buildApi, listening on a local
// port, Temporal unreachable: the import makes no Temporal call) is sent the file as a streamed
// text/csv body, mode add into an empty segment, then mode replace with the file shifted by a
// tenth (a tenth exit, a tenth enter). The bare COPY streams the same lines into a plain table
// of (line, id). Prints figures and the ratio, asserts nothing; the last line is
// `bench-result: {json}`. Run with `npm run bench:manual-import` (flags: --ids 1000000).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { BENCH_API_KEY, postStream, startApiOnly } from './support/api-only';
import { createBenchDatabase } from './support/bench-database';

const TARGET_MS = 60_000;

const { values: flags } = parseArgs({
  options: { ids: { type: 'string', default: '1000000' } },
});
const IDS = Number(flags.ids);

const idOf = (i: number) => `cust-${String(i).padStart(8, '0')}`;

/** The file's lines [from, to), produced as they are read (never the whole file in memory). */
function* csvLines(from: number, to: number, header: boolean): Generator<string> {
  if (header) yield 'customer_id\n';
  const batch = 10_000;
  for (let start = from; start < to; start += batch) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(to, start + batch); i += 1) lines.push(`${idOf(i)}\n`);
    yield lines.join('');
  }
}

async function upload(baseUrl: string, mode: string, from: number, to: number) {
  const started = performance.now();
  const { status, text } = await postStream(
    `${baseUrl}/v1/segments/imported/members/import?mode=${mode}`,
    'text/csv',
    Readable.from(csvLines(from, to, true)),
  );
  const ms = performance.now() - started;
  if (status !== 200) throw new Error(`import answered ${status}: ${text}`);
  return { ms, body: JSON.parse(text) as Record<string, unknown> };
}

async function bareCopy(url: string): Promise<number> {
  const raw = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await raw`create table bare_import (line int not null, id text not null)`;
    const started = performance.now();
    const writable = await raw.unsafe('copy bare_import (line, id) from stdin').writable();
    let line = 1;
    for (const chunk of csvLines(0, IDS, false)) {
      const rows = chunk
        .split('\n')
        .filter((id) => id !== '')
        .map((id) => `${(line += 1)}\t${id}\n`)
        .join('');
      if (!writable.write(rows)) await new Promise((resolve) => writable.once('drain', resolve));
    }
    writable.end();
    await new Promise((resolve, reject) => writable.on('finish', resolve).on('error', reject));
    return performance.now() - started;
  } finally {
    await raw.end();
  }
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const api = await startApiOnly(database.url, 'bench-import');
  try {
    const raw = postgres(database.url, { max: 1, onnotice: () => undefined });
    const started = performance.now();
    const customers = await raw.unsafe('copy customers (id) from stdin').writable();
    for (const chunk of csvLines(0, IDS + IDS / 10, false)) {
      if (!customers.write(chunk)) await new Promise((r) => customers.once('drain', r));
    }
    customers.end();
    await new Promise((resolve) => customers.on('finish', resolve));
    await raw`analyze customers`;
    await raw.end();
    console.log(
      `loaded ${(IDS * 1.1).toLocaleString('en')} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const segment = await fetch(`${api.baseUrl}/v1/segments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'imported', name: 'Imported', kind: 'manual' }),
    });
    if (segment.status !== 201) throw new Error(`segment answered ${segment.status}`);

    const added = await upload(api.baseUrl, 'add', 0, IDS);
    const shift = Math.floor(IDS / 10);
    const replaced = await upload(api.baseUrl, 'replace', shift, IDS + shift);
    await api.close();
    const copyMs = await bareCopy(database.url);

    const rate = (ms: number) => Math.round((IDS / ms) * 1000);
    console.log(
      `add     ${IDS.toLocaleString('en')} ids: ${(added.ms / 1000).toFixed(1)} s ` +
        `(${rate(added.ms).toLocaleString('en')} ids/s; target < ${TARGET_MS / 1000} s) ` +
        `${JSON.stringify(added.body)}`,
    );
    console.log(
      `replace ${IDS.toLocaleString('en')} ids: ${(replaced.ms / 1000).toFixed(1)} s ` +
        `(${rate(replaced.ms).toLocaleString('en')} ids/s) ${JSON.stringify(replaced.body)}`,
    );
    console.log(
      `bare COPY of the same ${IDS.toLocaleString('en')} lines: ${(copyMs / 1000).toFixed(1)} s ` +
        `(${rate(copyMs).toLocaleString('en')} ids/s); import/COPY ratio add ` +
        `${(added.ms / copyMs).toFixed(1)}×, replace ${(replaced.ms / copyMs).toFixed(1)}×`,
    );
    console.log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${os.cpus().length} cores`,
    );
    console.log(
      `bench-result: ${JSON.stringify({
        ids: IDS,
        addMs: Math.round(added.ms),
        replaceMs: Math.round(replaced.ms),
        copyMs: Math.round(copyMs),
        addRatio: Number((added.ms / copyMs).toFixed(2)),
        replaceRatio: Number((replaced.ms / copyMs).toFixed(2)),
        withinTarget: added.ms < TARGET_MS,
      })}`,
    );
  } finally {
    await api.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
