// How fast POST /v1/imports/events takes an NDJSON file of events, against the target of
// 50,000 rows/s and against a raw COPY of the same rows in the same run. A database of its own
// (created, migrated, dropped) gets --customers customers by COPY; N events for them are written
// to a temporary NDJSON file; the API (buildApi listening on a local port; Temporal unreachable:
// an import makes no Temporal call, and no router runs, so only the import is timed) is sent the
// file as a streamed body. The bare parts read the same file, JSON.parse each line and COPY the
// same columns: into a table of the events table's shape (its indexes, primary key and the
// foreign key to customers: what storing them costs Postgres at all), and into a table of the
// columns alone (no index, no constraint). With --drain, the event router (with the audience
// pass and the built-in segments) then works through the imported history, and the time until
// none is left in the outbox is printed: what history costs after the import answered. Prints
// rows/s and both ratios, asserts nothing; the last line is `bench-result: {json}`. Run with
// `npm run bench:import` (flags: --rows 1000000, --customers 100000, --drain).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { count, isNull } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import { audienceUpkeep, installBuiltInSegments } from '../src/audience';
import { openDatabase } from '../src/db/database';
import { events } from '../src/db/schema';
import { startEventRouter } from '../src/routing';
import { copyLine } from '../src/imports/staging';
import { postStream, startApiOnly } from './support/api-only';
import { createBenchDatabase } from './support/bench-database';

const TARGET_ROWS_PER_SECOND = 50_000;
const TARGET_RATIO = 2;

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    customers: { type: 'string', default: '100000' },
    drain: { type: 'boolean', default: false },
  },
});
const ROWS = Number(flags.rows);
const CUSTOMERS = Number(flags.customers);
const TYPES = ['page_view', 'product_view', 'add_to_cart', 'purchase', 'email_opened'];

const customerOf = (i: number) => `cust-${String(i).padStart(7, '0')}`;

/** A shop's history: ten event types over a year, a purchase with a total and a sku. */
function eventLine(i: number): string {
  const type = TYPES[i % TYPES.length] as string;
  const at = new Date(Date.UTC(2025, 0, 1) + i * 30_000).toISOString();
  const properties =
    type === 'purchase'
      ? { total: (i % 200) + 0.5, sku: `sku-${i % 500}`, currency: 'EUR' }
      : { url: `/products/${i % 5000}`, referrer: 'newsletter' };
  return JSON.stringify({
    id: `evt-${i}`,
    customerId: customerOf((i * 7919) % CUSTOMERS),
    type,
    occurredAt: at,
    properties,
  });
}

async function writeFile(file: string): Promise<number> {
  const out = createWriteStream(file);
  for (let start = 0; start < ROWS; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(ROWS, start + 10_000); i += 1) lines.push(eventLine(i));
    if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
  }
  await new Promise((resolve, reject) => out.end(() => resolve(undefined)).on('error', reject));
  return (await stat(file)).size;
}

async function loadCustomers(url: string): Promise<void> {
  const raw = postgres(url, { max: 1, onnotice: () => undefined });
  const copy = await raw.unsafe('copy customers (id) from stdin').writable();
  for (let start = 0; start < CUSTOMERS; start += 10_000) {
    let text = '';
    for (let i = start; i < Math.min(CUSTOMERS, start + 10_000); i += 1)
      text += `${customerOf(i)}\n`;
    if (!copy.write(text)) await once(copy, 'drain');
  }
  copy.end();
  await new Promise((resolve) => copy.on('finish', resolve));
  await raw`analyze customers`;
  await raw.end();
}

async function importThroughApi(baseUrl: string, file: string) {
  const started = performance.now();
  const { status, text } = await postStream(
    `${baseUrl}/v1/imports/events`,
    'application/x-ndjson',
    createReadStream(file),
  );
  const ms = performance.now() - started;
  if (status !== 200) throw new Error(`import answered ${status}: ${text}`);
  return { ms, body: JSON.parse(text) as Record<string, unknown> };
}

/** The bare part: the same file, parsed line by line, COPY'd into `table` with the same columns. */
async function rawCopy(url: string, table: string, file: string): Promise<number> {
  const raw = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const started = performance.now();
    const copy = await raw
      .unsafe(
        `copy ${table} (id, customer_id, type, occurred_at, received_at, properties, source,
                              next_routing_at) from stdin`,
      )
      .writable();
    const now = new Date().toISOString();
    let text = '';
    for await (const line of createInterface({ input: createReadStream(file) })) {
      const e = JSON.parse(line) as Record<string, unknown>;
      text += copyLine([
        e.id as string,
        e.customerId as string,
        e.type as string,
        e.occurredAt as string,
        now,
        JSON.stringify(e.properties),
        'import',
        now,
      ]);
      if (text.length > 1 << 20) {
        if (!copy.write(text)) await once(copy, 'drain');
        text = '';
      }
    }
    copy.end(text);
    await new Promise((resolve, reject) => copy.on('finish', resolve).on('error', reject));
    return performance.now() - started;
  } finally {
    await raw.end();
  }
}

/**
 * The router drains the outbox of the imported history; answers how long it took. History needs
 * Postgres alone: the Temporal client points at nothing.
 */
async function drain(url: string): Promise<number> {
  const handle = await openDatabase({ url });
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '500ms' });
  const { db } = handle;
  await installBuiltInSegments(db);
  const started = performance.now();
  const router = startEventRouter({
    db,
    temporal: new Client({ connection }),
    taskQueue: 'bench-import',
    defaultTimeZone: 'UTC',
    audience: audienceUpkeep({ db, emailMarketingDefault: 'opted_in' }),
  });
  try {
    for (;;) {
      const [row] = await db.select({ n: count() }).from(events).where(isNull(events.routedAt));
      if ((row?.n ?? 0) === 0) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await router.stop();
    await handle.close();
    await connection.close().catch(() => undefined);
  }
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-import-bench-'));
  const file = path.join(dir, 'events.ndjson');
  const api = await startApiOnly(database.url, 'bench-import');
  try {
    await loadCustomers(database.url);
    const bytes = await writeFile(file);
    console.log(
      `import benchmark: ${ROWS.toLocaleString('en')} NDJSON events (${(bytes / 2 ** 20).toFixed(0)} MiB) ` +
        `for ${CUSTOMERS.toLocaleString('en')} customers, node ${process.version}, ` +
        `${os.cpus().length} cores, load ${load()}`,
    );
    const imported = await importThroughApi(api.baseUrl, file);
    await api.close();

    const raw = postgres(database.url, { max: 1, onnotice: () => undefined });
    await raw.unsafe('create table bare_events (like events including all)');
    await raw.unsafe(
      'alter table bare_events add foreign key (customer_id) references customers (id)',
    );
    await raw.unsafe(
      'create table bare_columns (like events including defaults including identity)',
    );
    await raw.end();
    const shapedMs = await rawCopy(database.url, 'bare_events', file);
    const columnsMs = await rawCopy(database.url, 'bare_columns', file);

    const drainMs = flags.drain ? await drain(database.url) : null;
    const rate = (ms: number) => Math.round((ROWS / ms) * 1000);
    const show = (ms: number) =>
      `${(ms / 1000).toFixed(1)} s, ${rate(ms).toLocaleString('en')} rows/s`;
    console.log(
      `POST /v1/imports/events        ${show(imported.ms)} ${JSON.stringify(imported.body)}`,
    );
    console.log(
      `raw COPY, events' shape       ${show(shapedMs)} (indexes, primary and foreign key)`,
    );
    console.log(`raw COPY, columns only        ${show(columnsMs)} (no index, no constraint)`);
    if (drainMs !== null) {
      console.log(
        `router drains the history        ${show(drainMs)} (audience pass, built-in segments)`,
      );
    }
    const shapedRatio = imported.ms / shapedMs;
    const columnsRatio = imported.ms / columnsMs;
    console.log(
      `import ÷ raw COPY: ${shapedRatio.toFixed(2)}× against the events' shape, ` +
        `${columnsRatio.toFixed(2)}× against the columns alone (target ≤ ${TARGET_RATIO}×); ` +
        `${rate(imported.ms).toLocaleString('en')} rows/s (target ≥ ` +
        `${TARGET_ROWS_PER_SECOND.toLocaleString('en')}); load ${load()}`,
    );
    console.log(
      `bench-result: ${JSON.stringify({
        section: 'import',
        rows: ROWS,
        importMs: Math.round(imported.ms),
        importRowsPerSecond: rate(imported.ms),
        rawCopyEventsShapeMs: Math.round(shapedMs),
        rawCopyColumnsMs: Math.round(columnsMs),
        ratioEventsShape: Number(shapedRatio.toFixed(2)),
        ratioColumns: Number(columnsRatio.toFixed(2)),
        ...(drainMs !== null ? { drainMs: Math.round(drainMs) } : {}),
        withinRate: rate(imported.ms) >= TARGET_ROWS_PER_SECOND,
      })}`,
    );
  } finally {
    await api.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
