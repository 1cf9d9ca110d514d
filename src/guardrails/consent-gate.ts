import { sql } from 'drizzle-orm';
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
  return {
    holdForSend: (customerId, send) =>
      pool.transaction(async (tx) => {
        await tx.execute(
          sql`select pg_advisory_xact_lock_shared(hashtextextended(${NAMESPACE + customerId}::text, 0))`,
        );
        return send();
      }),
  };
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
