import type { Database } from '../db/database';
import { builtInSegments } from '../segments/library';
import { segmentDefinitionSchema } from '../segments/schema';
import { findSegment, publishSegment } from './segment-catalogue';

/**
 * Publishes each built-in seed segment that does not exist yet, validated like any segment a user
 * publishes; one that exists is left as its users have it. Returns the ids it published.
 */
export async function installBuiltInSegments(db: Database): Promise<string[]> {
  const installed: string[] = [];
  for (const definition of builtInSegments) {
    if (await findSegment(db, definition.id)) continue;
    await publishSegment(db, segmentDefinitionSchema.parse(definition));
    installed.push(definition.id);
  }
  return installed;
}
