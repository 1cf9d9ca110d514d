import type { Database } from '../db/database';
import { builtInJourneys } from '../journeys/library';
import { parseJourneyDefinition } from '../journeys/validate';
import { findJourney } from './journey-records';
import { publishVersion } from './publish-version';

/**
 * Publishes each built-in seed journey that does not exist yet, validated like any journey a
 * user publishes; one that exists is left as its users have it (edited, paused, newer). Returns
 * the ids it published.
 */
export async function installBuiltInJourneys(db: Database): Promise<string[]> {
  const installed: string[] = [];
  for (const definition of builtInJourneys) {
    if (await findJourney(db, definition.id)) continue;
    await publishVersion(db, parseJourneyDefinition(definition));
    installed.push(definition.id);
  }
  return installed;
}
