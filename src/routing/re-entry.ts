import { parseDuration } from '../journeys/durations';
import type { ReEntry } from '../journeys/schema';
import { findLastEntry } from './run-registry';
import type { Database } from '../db/database';

export type EntryBlock = 'once' | 'cooldown';

/**
 * Whether the re-entry policy lets the customer enter again, given that no run with this
 * workflow id is running (a running run is handled before this check). Returns the rule that
 * blocks entry, or null.
 */
export async function reEntryBlock(
  db: Database,
  policy: ReEntry,
  journeyId: string,
  customerId: string,
  now: Date,
): Promise<EntryBlock | null> {
  if (policy.mode === 'after_exit') return null;
  if (policy.mode === 'keyed' && policy.cooldown === undefined) return null;
  const last = await findLastEntry(db, journeyId, customerId);
  if (!last) return null;
  if (policy.mode === 'once') return 'once';
  const cooldownMs = parseDuration(policy.cooldown as string);
  return now.getTime() - last.startedAt.getTime() < cooldownMs ? 'cooldown' : null;
}
