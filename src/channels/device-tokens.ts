import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { deviceTokens } from '../db/schema';

export type DevicePlatform = 'ios' | 'android' | 'web';
export type DeviceTokenRow = typeof deviceTokens.$inferSelect;

/** A customer's push tokens, oldest registration first. */
export function listTokens(db: Database, customerId: string): Promise<DeviceTokenRow[]> {
  return db
    .select()
    .from(deviceTokens)
    .where(eq(deviceTokens.customerId, customerId))
    .orderBy(asc(deviceTokens.createdAt), asc(deviceTokens.token));
}

/**
 * Registers a token, or refreshes it. A token belongs to one app install, so when another
 * customer signs in on the same device the token moves to them: the previous customer must not
 * get the new customer's notifications.
 */
export async function registerToken(
  db: Database,
  input: { customerId: string; token: string; platform: DevicePlatform },
): Promise<{ row: DeviceTokenRow; created: boolean }> {
  const [result] = await db
    .insert(deviceTokens)
    .values(input)
    .onConflictDoUpdate({
      target: deviceTokens.token,
      set: { customerId: input.customerId, platform: input.platform, lastSeenAt: sql`now()` },
    })
    // xmax is 0 only on a row this statement inserted (an update sets it).
    .returning({ ...getTableColumns(deviceTokens), created: sql<boolean>`(xmax = 0)` });
  if (!result) throw new Error('device token upsert returned no row');
  const { created, ...row } = result;
  return { row, created };
}

/** Removes tokens FCM reported unregistered or invalid, whoever they belong to. */
export async function removeTokens(db: Database, tokens: string[]): Promise<number> {
  if (tokens.length === 0) return 0;
  const removed = await db
    .delete(deviceTokens)
    .where(inArray(deviceTokens.token, tokens))
    .returning({ token: deviceTokens.token });
  return removed.length;
}

/** Unregisters one of a customer's tokens; false when the customer has no such token. */
export async function removeCustomerToken(
  db: Database,
  customerId: string,
  token: string,
): Promise<boolean> {
  const removed = await db
    .delete(deviceTokens)
    .where(and(eq(deviceTokens.customerId, customerId), eq(deviceTokens.token, token)))
    .returning({ token: deviceTokens.token });
  return removed.length > 0;
}

/** Deletes every token of the customer (their erasure); returns the tokens that went. */
export async function removeAllCustomerTokens(db: Database, customerId: string): Promise<string[]> {
  const removed = await db
    .delete(deviceTokens)
    .where(eq(deviceTokens.customerId, customerId))
    .returning({ token: deviceTokens.token });
  return removed.map((row) => row.token);
}
