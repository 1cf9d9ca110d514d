import { evaluateStages, requestProfileChecks } from '../audience';
import { upsertCustomer, type CustomerChange, type CustomerRow } from '../customers';
import type { Database } from '../db/database';
import type { IdentifierKey } from '../privacy/identifier-hash';
import { admitProfileWrite } from '../privacy/profile-writes';

export interface ProfileWriteDeps {
  /** The privacy key that hashes erased customers' identifiers; unset: only the id is checked. */
  identifierKey?: IdentifierKey | undefined;
  emailMarketingDefault: 'opted_in' | 'opted_out';
}

/**
 * A profile change as every writer makes it (PUT /v1/customers/{id}, a Segment identify), in the
 * caller's transaction: refused first if it names an erased customer or identifier
 * (ProfileWriteRefused), then stored, then the segments that read the profile look at the
 * customer again — in the same transaction, so a stored change is never missed by them. A new
 * customer has its first stage at once (no event: it is no transition), so a first purchase right
 * after is a move from it.
 */
export async function writeProfile(
  tx: Database,
  deps: ProfileWriteDeps,
  customerId: string,
  change: CustomerChange,
  options: { newOptIn: boolean; now: Date; source: string },
): Promise<{ row: CustomerRow; created: boolean }> {
  await admitProfileWrite(tx, deps.identifierKey, {
    customerId,
    ...(change.email !== undefined ? { email: change.email } : {}),
    ...(change.phone !== undefined ? { phone: change.phone } : {}),
    newOptIn: options.newOptIn,
  });
  const upserted = await upsertCustomer(tx, customerId, change, options.source);
  await requestProfileChecks(tx, [customerId], options.now);
  if (upserted.created) await newProfileStages(tx, deps, [customerId], options.now);
  return upserted;
}

/** The first stage of customers created without a profile write (resolved from identifiers). */
export async function newProfileStages(
  tx: Database,
  deps: ProfileWriteDeps,
  customerIds: string[],
  now: Date,
): Promise<void> {
  if (customerIds.length === 0) return;
  await requestProfileChecks(tx, customerIds, now);
  await evaluateStages(tx, customerIds, { now, emailMarketingDefault: deps.emailMarketingDefault });
}
