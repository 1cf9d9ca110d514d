import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { inAppMessages } from '../db/schema';
import { ChannelError, type InAppChannel, type OutboundInApp, type SendReceipt } from './channel';

export interface InAppChannelOptions {
  db: Database;
}

const CHANNEL = 'in_app';

/** SQLSTATEs that no retry can fix: the customer is gone, or the delivery id is not a uuid. */
const PERMANENT_STATES: Record<string, string> = {
  '23503': 'unknown_customer',
  '22P02': 'invalid_delivery_id',
};

/**
 * The in-app "provider" is Cairn's own inbox table, polled by the customer's app through
 * /v1/customers/{id}/inbox. The row is keyed by the delivery id, so a retried send (even one whose
 * first attempt committed but never reported back) stores a single entry and returns its id.
 */
export function createInAppChannel(options: InAppChannelOptions): InAppChannel {
  const { db } = options;
  return {
    name: CHANNEL,
    async send(message: OutboundInApp): Promise<SendReceipt> {
      try {
        return { providerMessageId: await storeMessage(db, message) };
      } catch (error) {
        throw classifyDatabaseError(error);
      }
    },
    // The database handle belongs to the caller.
    close: () => Promise.resolve(),
  };
}

async function storeMessage(db: Database, message: OutboundInApp): Promise<string> {
  const inserted = await db
    .insert(inAppMessages)
    .values({
      deliveryId: message.deliveryId,
      customerId: message.customerId,
      title: message.title,
      body: message.body,
      actionUrl: message.actionUrl ?? null,
      data: message.data ?? {},
    })
    .onConflictDoNothing({ target: inAppMessages.deliveryId })
    .returning({ id: inAppMessages.id });
  if (inserted[0]) return inserted[0].id;
  const [existing] = await db
    .select({ id: inAppMessages.id })
    .from(inAppMessages)
    .where(eq(inAppMessages.deliveryId, message.deliveryId))
    .limit(1);
  if (!existing) throw new ChannelError(CHANNEL, 'transient', 'conflict_row_missing');
  return existing.id;
}

/** Storing is idempotent, so any database trouble short of a bad row is safe to retry. */
function classifyDatabaseError(error: unknown): ChannelError {
  if (error instanceof ChannelError) return error;
  const code = errorCode(error);
  const permanent = code ? PERMANENT_STATES[code] : undefined;
  if (permanent) return new ChannelError(CHANNEL, 'permanent', permanent);
  return new ChannelError(CHANNEL, 'transient', code ?? 'database_error');
}

/**
 * A SQLSTATE (e.g. 40001) or the driver's code (CONNECTION_ENDED, ECONNREFUSED). Drizzle wraps
 * driver errors, so the code may sit on one of the causes.
 */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z_]{2,40}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
