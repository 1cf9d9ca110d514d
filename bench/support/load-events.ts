// Loads a benchmark database with the seeded customers and events of segment-data.ts by COPY:
// the events table's secondary indexes are dropped for the load and rebuilt from their own
// definitions after it (maintained row by row they halve the load rate at millions of rows),
// then both tables are vacuumed and analysed, as autovacuum would have by then.
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import type postgres from 'postgres';
import { CUSTOMER_COLUMNS, EVENT_COLUMNS, writeCustomers, writeEvents } from './segment-data';

async function copyInto(
  raw: postgres.Sql,
  table: 'customers' | 'events',
  write: (writable: Writable) => Promise<void>,
): Promise<void> {
  // The column lists are constants of segment-data.ts, so unsafe text is safe here.
  const columns = table === 'customers' ? CUSTOMER_COLUMNS : EVENT_COLUMNS;
  await write(await raw.unsafe(`copy ${table} (${columns}) from stdin`).writable());
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (rows: number, ms: number) => Math.round((rows / ms) * 1000).toLocaleString('en');

export async function loadSegmentData(
  raw: postgres.Sql,
  options: { customers: number; events: number; streams: number; now: number },
): Promise<{ loadSeconds: number }> {
  const started = performance.now();
  await copyInto(raw, 'customers', (w) => writeCustomers(w, options.customers, 1));
  const indexes = await raw<{ name: string; definition: string }[]>`
    select indexname as name, indexdef as definition from pg_indexes
     where schemaname = current_schema() and tablename = 'events' and indexname <> 'events_pkey'`;
  for (const { name } of indexes) await raw.unsafe(`drop index "${name}"`);
  const per = Math.ceil(options.events / options.streams);
  await Promise.all(
    Array.from({ length: options.streams }, (_, s) =>
      copyInto(raw, 'events', (w) =>
        writeEvents(w, {
          from: s * per,
          to: Math.min(options.events, (s + 1) * per),
          customers: options.customers,
          now: options.now,
          seed: 100 + s,
        }),
      ),
    ),
  );
  const copied = performance.now();
  const queue = [...indexes];
  await Promise.all(
    Array.from({ length: 2 }, () =>
      raw.reserve().then(async (connection) => {
        await connection`set maintenance_work_mem = '256MB'`;
        for (let next = queue.shift(); next; next = queue.shift()) {
          await connection.unsafe(next.definition);
        }
        connection.release();
      }),
    ),
  );
  await raw`vacuum analyze customers`;
  await raw`vacuum analyze events`;
  const done = performance.now();
  console.log(
    `loaded ${options.customers.toLocaleString('en')} customers and ` +
      `${options.events.toLocaleString('en')} events in ${seconds(copied - started)} ` +
      `(${rate(options.events, copied - started)} events/s), indexes and analyse ${seconds(done - copied)}`,
  );
  return { loadSeconds: Number(((done - started) / 1000).toFixed(1)) };
}
