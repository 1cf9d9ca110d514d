import net from 'node:net';
import { drizzle } from 'drizzle-orm/postgres-js';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { withPreparedStatements, type Database } from '../../src/db/database';
import * as schema from '../../src/db/schema';
import {
  createConsentGate,
  lockConsentForChange,
  type ConsentGate,
} from '../../src/guardrails/consent-gate';
import { frontendMessageCounter, noWireCounts, type WireCounts } from '../../bench/pg-round-trips';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The gate on Postgres takes its lock in one round trip: BEGIN and the lock leave in one write.
 * One connection in the gate's pool, so every test also proves the connection came back usable.
 */
describe('the consent gate on a postgres.js pool', () => {
  let database: TestDatabase;
  let gateSql: postgres.Sql;
  let gate: ConsentGate;
  /** The messages of each write the gate's connection made, as wire counts. */
  const writes: WireCounts[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    gateSql = postgres(database.url, {
      max: 1,
      onnotice: () => undefined,
      // A lock the gate cannot get fails within the test, not after the suite's timeout.
      connection: { lock_timeout: 500 },
      socket: recordingSocket(database.url, writes),
    } as postgres.Options<Record<string, never>>);
    gate = createConsentGate(drizzle(withPreparedStatements(gateSql), { schema }));
    // The first send prepares the lock statement on the connection (a describe round trip).
    await gate.holdForSend('warm', () => Promise.resolve());
  });

  afterAll(async () => {
    await gateSql?.end({ timeout: 5 });
    await database?.close();
  });

  it('sends BEGIN and the lock in one write, then runs the send holding the shared lock', async () => {
    const before = writes.length;
    let during: { writes: WireCounts[]; locks: AdvisoryLock[] } | undefined;
    const result = await gate.holdForSend('ada', async () => {
      during = { writes: writes.slice(before), locks: await advisoryLocks(database.db) };
      return 'sent';
    });

    expect(result).toBe('sent');
    // One write: BEGIN (a simple Query) and the lock (Bind, Execute, Sync).
    expect(during?.writes).toEqual([{ parses: 0, executes: 2, describes: 0, roundTrips: 2 }]);
    expect(during?.locks).toEqual([{ mode: 'ShareLock', granted: true }]);
    // COMMIT, after the send; the lock went with it.
    expect(writes.slice(before + 1)).toEqual([
      { parses: 0, executes: 1, describes: 0, roundTrips: 1 },
    ]);
    expect(await advisoryLocks(database.db)).toEqual([]);
  });

  it('never runs the send when the lock fails, and gives the connection back', async () => {
    const change = holdConsentChange(database.db, 'grace');
    await change.locked;
    const send = jest.fn(() => Promise.resolve('sent'));

    const refused = await gate.holdForSend('grace', send).then(
      () => 'sent',
      (error: unknown) => error,
    );
    change.release();
    await change.done;

    expect(refused).toMatchObject({ code: '55P03' }); // lock_not_available
    expect(send).not.toHaveBeenCalled();
    // The pool's one connection is back, out of any transaction, and takes the lock again.
    await expect(gate.holdForSend('grace', send)).resolves.toBe('sent');
  });

  it("ends the transaction when the send fails: the send's error, the lock released", async () => {
    const failure = new Error('provider down');
    await expect(gate.holdForSend('alan', () => Promise.reject(failure))).rejects.toBe(failure);

    expect(await advisoryLocks(database.db)).toEqual([]);
    await expect(
      database.db.transaction(async (tx) => {
        await lockConsentForChange(tx, 'alan');
        return 'changed';
      }),
    ).resolves.toBe('changed');
    await expect(gate.holdForSend('alan', () => Promise.resolve('sent'))).resolves.toBe('sent');
  });

  it('holds a consent change back until the send in flight has finished', async () => {
    let finishSend!: () => void;
    let sendStarted!: () => void;
    const started = new Promise<void>((resolve) => (sendStarted = resolve));
    const order: string[] = [];
    const sending = gate.holdForSend('linus', async () => {
      sendStarted();
      await new Promise<void>((resolve) => (finishSend = resolve));
      order.push('sent');
    });
    await started;
    const change = database.db.transaction(async (tx) => {
      await lockConsentForChange(tx, 'linus');
      order.push('consent changed');
    });
    await waitForLockWaiters(database.db, 1);

    finishSend();
    await Promise.all([sending, change]);
    expect(order).toEqual(['sent', 'consent changed']);
  });
});

interface AdvisoryLock {
  mode: string;
  granted: boolean;
}

/** The advisory locks held or awaited in this test's database (other test files run beside). */
async function advisoryLocks(db: Database): Promise<AdvisoryLock[]> {
  const rows: unknown = await db.execute(
    sql`select mode, granted from pg_locks where locktype = 'advisory'
      and database = (select oid from pg_database where datname = current_database())
      order by mode`,
  );
  return [...(rows as AdvisoryLock[])];
}

/** Waits (without sleeping) until `count` sessions wait for an advisory lock. */
async function waitForLockWaiters(db: Database, count: number): Promise<void> {
  for (let attempt = 0; attempt < 2_000; attempt += 1) {
    const locks = await advisoryLocks(db);
    if (locks.filter((lock) => !lock.granted).length === count) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`no ${count} sessions waited for an advisory lock`);
}

/** A consent change holding its exclusive lock until released. */
function holdConsentChange(db: Database, customerId: string) {
  let release!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const done = db.transaction(async (tx) => {
    await lockConsentForChange(tx, customerId);
    locked();
    await released;
  });
  return { locked: isLocked, release, done };
}

/** A postgres.js socket that records what each write of the connection carried. */
function recordingSocket(url: string, writes: WireCounts[]): () => Promise<net.Socket> {
  const target = new URL(url);
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(Number(target.port || 5432), target.hostname);
      const total = noWireCounts();
      const counted = frontendMessageCounter(total);
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = (chunk: unknown, ...rest: unknown[]) => {
        if (Buffer.isBuffer(chunk)) {
          const before = { ...total };
          counted(chunk);
          writes.push({
            parses: total.parses - before.parses,
            executes: total.executes - before.executes,
            describes: total.describes - before.describes,
            roundTrips: total.roundTrips - before.roundTrips,
          });
        }
        return write(chunk, ...rest);
      };
      socket.once('connect', () => resolve(socket)).once('error', reject);
    });
}
