import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parsePhoneNumber, PHONE_NUMBER_PROBLEMS } from '../channels/phone-number';
import type { Database } from '../db/database';
import { suppressions, type SuppressionReason } from '../db/schema';

export type SuppressionChannel = 'email' | 'sms' | 'push';
export type SuppressionRow = typeof suppressions.$inferSelect;

export type NormalisedAddress =
  | { ok: true; address: string }
  /** `problem` describes the rule the address breaks, never the address itself. */
  | { ok: false; problem: string };

export type SuppressionCheck =
  { suppressed: false } | { suppressed: true; reason: SuppressionReason };

const emailSchema = z.email().max(320);
// The same shape the devices API accepts for FCM registration tokens.
const PUSH_TOKEN = /^[A-Za-z0-9_:.-]{8,4096}$/;

/**
 * The form addresses are stored and compared in: a lower-case trimmed email (mailbox local parts
 * are case-insensitive in practice, and every provider treats them so), an E.164 phone, a push
 * token as is. Suppressions are matched on this form only.
 */
export function normaliseAddress(channel: SuppressionChannel, address: string): NormalisedAddress {
  if (channel === 'email') {
    const email = address.trim().toLowerCase();
    return emailSchema.safeParse(email).success
      ? { ok: true, address: email }
      : { ok: false, problem: 'must be an email address' };
  }
  if (channel === 'sms') {
    const phone = parsePhoneNumber(address);
    return phone.ok
      ? { ok: true, address: phone.number }
      : { ok: false, problem: PHONE_NUMBER_PROBLEMS[phone.reason] };
  }
  return PUSH_TOKEN.test(address)
    ? { ok: true, address }
    : { ok: false, problem: 'must be a push token: 8-4096 letters, digits, "_", ":", "." or "-"' };
}

/**
 * Whether an address must not be sent to. An address that cannot be normalised counts as
 * suppressed (invalid_address): the send path fails closed. Database errors propagate, so the
 * activity fails and retries instead of sending unchecked.
 */
export async function isSuppressed(
  db: Database,
  channel: SuppressionChannel,
  address: string,
): Promise<SuppressionCheck> {
  const normalised = normaliseAddress(channel, address);
  if (!normalised.ok) return { suppressed: true, reason: 'invalid_address' };
  const [row] = await db
    .select({ reason: suppressions.reason })
    .from(suppressions)
    .where(and(eq(suppressions.channel, channel), eq(suppressions.address, normalised.address)))
    .limit(1);
  return row ? { suppressed: true, reason: row.reason } : { suppressed: false };
}

export interface SuppressionInput {
  channel: SuppressionChannel;
  address: string;
  reason: SuppressionReason;
  /** Where it came from: smtp, bounce_webhook, twilio, api. */
  source: string;
}

/** Thrown for an address that cannot be normalised; the message names the rule, not the value. */
export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';

  constructor(
    readonly channel: SuppressionChannel,
    readonly problem: string,
  ) {
    super(`${channel} address ${problem}`);
  }
}

/**
 * Adds an entry, idempotently: an address already suppressed on the channel keeps its first entry
 * (the earliest reason is the one worth keeping, e.g. a complaint before a later manual entry).
 */
export async function addSuppression(
  db: Database,
  input: SuppressionInput,
): Promise<{ row: SuppressionRow; created: boolean }> {
  const address = requireNormalised(input.channel, input.address);
  const [inserted] = await db
    .insert(suppressions)
    .values({ channel: input.channel, address, reason: input.reason, source: input.source })
    .onConflictDoNothing()
    .returning();
  if (inserted) return { row: inserted, created: true };
  const existing = await findSuppression(db, input.channel, address);
  // Only a concurrent removal between the two statements gets here; the caller may retry.
  if (!existing) throw new Error('suppression removed while it was being added');
  return { row: existing, created: false };
}

/** Removes an entry; false when there was none. */
export async function removeSuppression(
  db: Database,
  channel: SuppressionChannel,
  address: string,
): Promise<boolean> {
  const normalised = requireNormalised(channel, address);
  const removed = await db
    .delete(suppressions)
    .where(and(eq(suppressions.channel, channel), eq(suppressions.address, normalised)))
    .returning({ id: suppressions.id });
  return removed.length > 0;
}

export async function findSuppression(
  db: Database,
  channel: SuppressionChannel,
  normalisedAddress: string,
): Promise<SuppressionRow | undefined> {
  const [row] = await db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.channel, channel), eq(suppressions.address, normalisedAddress)))
    .limit(1);
  return row;
}

export interface SuppressionPageQuery {
  channel?: SuppressionChannel;
  limit: number;
  /** The id of the last entry of the previous page. */
  cursor?: string;
}

/** Newest first; nextCursor is null on the last page. */
export async function listSuppressions(
  db: Database,
  query: SuppressionPageQuery,
): Promise<{ rows: SuppressionRow[]; nextCursor: string | null }> {
  const filters: (SQL | undefined)[] = [];
  if (query.channel) filters.push(eq(suppressions.channel, query.channel));
  // Compared in SQL: Postgres keeps microseconds that a JavaScript Date would round away.
  if (query.cursor) {
    filters.push(
      sql`(${suppressions.createdAt}, ${suppressions.id}) < (select s.created_at, s.id from suppressions s where s.id = ${query.cursor})`,
    );
  }
  const rows = await db
    .select()
    .from(suppressions)
    .where(and(...filters))
    .orderBy(desc(suppressions.createdAt), desc(suppressions.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > query.limit && last ? last.id : null };
}

function requireNormalised(channel: SuppressionChannel, address: string): string {
  const normalised = normaliseAddress(channel, address);
  if (!normalised.ok) throw new InvalidAddressError(channel, normalised.problem);
  return normalised.address;
}

/**
 * An address already looked up, in the same read as the customer (see send-state.ts): SQL
 * normalised it to `address` as it looked it up. It decides only for an address that
 * normaliseAddress turns into exactly `address`, so the two normalisations can never disagree
 * into a missed entry.
 */
export interface KnownSuppression {
  channel: SuppressionChannel;
  address: string;
  suppressed: boolean;
}

/**
 * Which of these addresses must not be sent to: those on the list and those that cannot be
 * normalised (fail closed), in one query for those `known` does not decide (none when it decides
 * them all). Returned as given, so callers can leave them out. Database errors propagate, so the
 * activity fails and retries instead of sending unchecked.
 */
export async function suppressedAddresses(
  db: Database,
  channel: SuppressionChannel,
  addresses: string[],
  known?: KnownSuppression | null,
): Promise<Set<string>> {
  const refused = new Set<string>();
  const byNormalised = new Map<string, string[]>();
  for (const address of addresses) {
    const normalised = normaliseAddress(channel, address);
    if (!normalised.ok) refused.add(address);
    else if (known?.channel === channel && known.address === normalised.address) {
      if (known.suppressed) refused.add(address);
    } else
      byNormalised.set(normalised.address, [
        ...(byNormalised.get(normalised.address) ?? []),
        address,
      ]);
  }
  if (byNormalised.size === 0) return refused;
  const rows = await db
    .select({ address: suppressions.address })
    .from(suppressions)
    .where(
      and(
        eq(suppressions.channel, channel),
        // One array parameter whatever the number of addresses (push: one per device), so the
        // statement is prepared once per connection, not once per list length.
        sql`${suppressions.address} = any(${sql.param([...byNormalised.keys()])})`,
      ),
    );
  for (const row of rows)
    for (const given of byNormalised.get(row.address) ?? []) refused.add(given);
  return refused;
}

/**
 * Removes the suppression Twilio's 21610 (recipient replied STOP) left on this number: a START
 * undoes what the carrier's STOP did. Entries with any other reason or source stay.
 */
export async function liftCarrierComplaint(db: Database, phone: string): Promise<void> {
  await db
    .delete(suppressions)
    .where(
      and(
        eq(suppressions.channel, 'sms'),
        eq(suppressions.address, phone),
        eq(suppressions.reason, 'complaint'),
        eq(suppressions.source, 'twilio'),
      ),
    );
}

/** Whether an entry with this id exists (a list cursor names one). */
export async function suppressionExists(db: Database, id: string): Promise<boolean> {
  const [found] = await db
    .select({ id: suppressions.id })
    .from(suppressions)
    .where(eq(suppressions.id, id))
    .limit(1);
  return found !== undefined;
}
