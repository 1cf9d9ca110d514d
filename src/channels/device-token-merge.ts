import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deviceTokens } from '../db/schema';

/**
 * A merge's part in device tokens (src/identity composes it): the merged-away customer's tokens
 * are the survivor's now, so a push reaches every device of the person. The tokens moved, for an
 * unmerge.
 */
export async function moveDeviceTokens(
  db: Database,
  from: string,
  into: string,
): Promise<string[]> {
  const moved = await db
    .update(deviceTokens)
    .set({ customerId: into })
    .where(eq(deviceTokens.customerId, from))
    .returning({ token: deviceTokens.token });
  return moved.map((row) => row.token);
}

/** Gives these tokens back to `to`, those the survivor still holds (a device may have moved on). */
export async function returnDeviceTokens(
  db: Database,
  tokens: string[],
  survivor: string,
  to: string,
): Promise<void> {
  if (tokens.length === 0) return;
  await db
    .update(deviceTokens)
    .set({ customerId: to })
    .where(
      and(
        eq(deviceTokens.customerId, survivor),
        sql`${deviceTokens.token} = any(${sql.param(tokens)})`,
      ),
    );
}
