import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';

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

export function createConsentGate(gate: Database | undefined): ConsentGate {
  if (!gate) {
    // Embedded PGlite is one connection used by one process: statements cannot interleave
    // across connections there, and a lock-holding transaction would block every other query.
    return { holdForSend: (_customerId, send) => send() };
  }
  return {
    holdForSend: (customerId, send) =>
      gate.transaction(async (tx) => {
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
