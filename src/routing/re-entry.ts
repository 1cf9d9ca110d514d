import { parseDuration } from '../journeys/durations';
import type { ReEntry } from '../journeys/schema';
import type { RunRow } from './run-registry';

export type EntryBlock = 'once' | 'cooldown' | 'max_executions';

/** Whether the policy looks at the customer's last entry at all (once, or a cooldown). */
export function needsLastEntry(policy: ReEntry): boolean {
  if (policy.mode === 'after_exit') return false;
  return !(policy.mode === 'keyed' && policy.cooldown === undefined);
}

/**
 * Whether the re-entry policy lets the customer enter again, given that no run with this
 * workflow id is running (a running run is handled before this check) and the customer's most
 * recent entry into the journey. Returns the rule that blocks entry, or null.
 */
export function reEntryBlock(
  policy: ReEntry,
  last: Pick<RunRow, 'startedAt'> | null,
  now: Date,
): EntryBlock | null {
  if (!last || policy.mode === 'after_exit') return null;
  if (policy.mode === 'once') return 'once';
  if (policy.cooldown === undefined) return null;
  const cooldownMs = parseDuration(policy.cooldown);
  return now.getTime() - last.startedAt.getTime() < cooldownMs ? 'cooldown' : null;
}
