import { sql } from 'drizzle-orm';
import type { ReservedSql, Sql } from 'postgres';
import { currentIdSql } from '../customers/redirect-sql';
import type { Database, DatabaseHandle } from '../db/database';

/**
 * Orders sends and consent changes for one customer, so that no message leaves after an
 * unsubscribe is recorded.
 *
 * A send holds a shared, transaction-scoped advisory lock from the moment it reads consent until
 * the provider has answered; a consent change (unsubscribe, STOP, preference page, API) takes the
 * same lock exclusively in the transaction that writes it. So a change waits for sends already on
 * their way to finish, and a send that starts while a change is being written waits for it and
 * then reads the new consent. Sends do not block each other.
 *
 * The lock is held on a connection of a separate pool (the "gate"): the send's own ledger writes
 * go through the main pool and commit at once, so a crash mid-send still leaves the claimed row
 * that keeps a retry from sending twice, and a busy gate can never starve the main pool.
 */
export interface ConsentGate {
  holdForSend<T>(customerId: string, send: () => Promise<T>): Promise<T>;
}

const NAMESPACE = 'cairn:consent:';

/**
 * The gate on a pool of its own (DatabaseHandle.gate): a send holds the shared lock while its
 * ledger writes go through the main pool and commit at once.
 */
export function createConsentGate(pool: Database): ConsentGate;
/**
 * Without a pool this chooses nothing: the activities then take the lock on their main pool (see
 * `mainPoolConsentGate`), which fails closed. Kept for callers that may not have a gate pool.
 */
export function createConsentGate(pool: Database | undefined): ConsentGate | undefined;
export function createConsentGate(pool: Database | undefined): ConsentGate | undefined {
  return pool ? lockingGate(pool) : undefined;
}

/**
 * What the send path uses when it was given no gate: the same locks, taken on the main pool. It
 * orders sends and consent changes exactly like the real gate — nothing is sent unordered — but
 * each send in flight then holds one connection of the main pool for its lock while it needs
 * another for its writes, so a pool smaller than the sends in flight makes them wait (never send).
 * Production wiring passes a pool of its own (consentGateFor).
 */
export function mainPoolConsentGate(db: Database): ConsentGate {
  return lockingGate(db);
}

/**
 * Embedded PGlite only, chosen by name: it is one connection used by one process, so statements
 * cannot interleave across connections, and a lock-holding transaction would block every other
 * query, including the send's own. Sends and consent changes are then not ordered against each
 * other; the README's known limits say so. Never a default.
 */
export const SINGLE_CONNECTION_CONSENT_GATE: ConsentGate = {
  holdForSend: (_customerId, send) => send(),
};

/**
 * The gate for a database: its gate pool on Postgres, the named single-connection gate on PGlite.
 * Postgres without a gate pool is a wiring mistake and refuses to start.
 */
export function consentGateFor(database: Pick<DatabaseHandle, 'driver' | 'gate'>): ConsentGate {
  if (database.gate) return lockingGate(database.gate);
  if (database.driver === 'pglite') return SINGLE_CONNECTION_CONSENT_GATE;
  throw new Error('the consent gate needs a pool of its own on Postgres (DatabaseHandle.gate)');
}

function lockingGate(pool: Database): ConsentGate {
  const client = reservableClientOf(pool);
  if (client) return pipelinedGate(client);
  // PGlite (a gate on the main pool of an embedded database): the lock in drizzle's transaction.
  return {
    holdForSend: (customerId, send) =>
      pool.transaction(async (tx) => {
        await tx.execute(
          sql`select pg_advisory_xact_lock_shared(hashtextextended(${NAMESPACE}::text || ${currentIdSql(sql`${customerId}::text`)}, 0))`,
        );
        return send();
      }),
  };
}

/**
 * The send's lock is on the customer the send reads: a customer merged away (src/identity) is
 * read as its survivor, so its sends queue behind the survivor's consent changes.
 */
const SHARED_LOCK = `select pg_advisory_xact_lock_shared(hashtextextended($1::text || coalesce(
  (select r.survivor_id from customer_redirects r where r.customer_id = $2::text), $2::text), 0))`;

/** The postgres.js client under a drizzle database (`db.$client`); PGlite's has no `reserve`. */
function reservableClientOf(pool: Database): Pick<Sql, 'reserve'> | null {
  const client = (pool as { $client?: Partial<Pick<Sql, 'reserve'>> }).$client;
  return typeof client?.reserve === 'function' ? (client as Pick<Sql, 'reserve'>) : null;
}

/**
 * The gate on a postgres.js pool, in two round trips instead of three: BEGIN and the lock are
 * sent together on one reserved connection (postgres.js pipelines queries issued on a connection
 * without waiting in between), and the send starts only once both have answered; COMMIT follows
 * the provider's answer. If either fails the send never runs (fail closed). The transaction always
 * ends (COMMIT, or ROLLBACK after a failure) and the connection goes back to the pool, unless it
 * closed: postgres.js owns a closed connection again and reconnects it when the pool needs it,
 * and a query or a release on it would hand the pool a connection without a socket.
 */
function pipelinedGate(client: Pick<Sql, 'reserve'>): ConsentGate {
  return {
    holdForSend: async (customerId, send) => {
      const connection = await client.reserve();
      let reusable = false;
      /** Fails with `error` once the transaction is ended, noting whether the connection is fit. */
      const failed =
        (end: (error: unknown) => boolean | Promise<boolean>) =>
        async (error: unknown): Promise<never> => {
          reusable = await end(error);
          throw error;
        };
      try {
        await beginLocked(connection, customerId).catch(
          failed((error) => answeredByServer(error) && rolledBack(connection)),
        );
        const result = await send().catch(failed(() => rolledBack(connection)));
        // A COMMIT the server refuses still ends the transaction.
        await connection.unsafe('commit').catch(failed(answeredByServer));
        reusable = true;
        return result;
      } finally {
        if (reusable) connection.release();
      }
    },
  };
}

/** BEGIN and the shared lock in one round trip; throws (after both answered) if either failed. */
async function beginLocked(connection: ReservedSql, customerId: string): Promise<void> {
  // execute() hands each query to the connection now, in this order, rather than when awaited.
  const begun = connection.unsafe('begin').execute();
  const locked = connection
    .unsafe(SHARED_LOCK, [NAMESPACE, customerId], { prepare: true })
    .execute();
  const [begin, lock] = await Promise.allSettled([begun, locked]);
  if (begin.status === 'rejected') throw begin.reason;
  if (lock.status === 'rejected') throw lock.reason;
}

/**
 * Whether the server refused a statement on a connection that stays up (an ERROR, such as a lock
 * timeout), rather than the connection failing (closed, reset, or a FATAL that closes it).
 */
function answeredByServer(error: unknown): boolean {
  return (error as { severity?: unknown } | null)?.severity === 'ERROR';
}

/**
 * Ends whatever transaction is open (ROLLBACK outside one only warns), and says whether the
 * connection answered, so that it may go back to the pool.
 */
async function rolledBack(connection: ReservedSql): Promise<boolean> {
  try {
    await connection.unsafe('rollback');
    return true;
  } catch {
    return false;
  }
}

type Executor = Pick<Database, 'execute'>;

/**
 * Call inside the transaction that changes a customer's consent, topics or channel choices: it
 * waits for sends in flight to finish and holds new ones back until the change commits.
 */
export async function lockConsentForChange(tx: Executor, customerId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${NAMESPACE + customerId}::text, 0))`,
  );
}

/**
 * lockConsentForChange for many customers in one statement (a bulk import), in id order so two
 * such transactions never deadlock. Each lock takes a slot of Postgres's shared lock table until
 * the transaction ends: callers keep a transaction to a few thousand customers.
 */
export async function lockConsentForChanges(tx: Executor, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.execute(sql`
    select pg_advisory_xact_lock(hashtextextended(${NAMESPACE}::text || c.id, 0))
      from (select distinct id from unnest(${sql.param(customerIds)}::text[]) as t(id) order by id) c`);
}
