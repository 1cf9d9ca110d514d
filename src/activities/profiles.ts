import { loadScoreCatalogue, requestProfileChecks } from '../audience';
import type { Database } from '../db/database';
import { AttributeUpdateError, loadProfileSnapshot, updateAttributes } from '../customers';
import type { JsonObject, ProfileSnapshot } from '../journeys/run-types';
import { customerNotFound, invalidRequest } from './failures';

/**
 * The run's view of the customer. Both activities answer with the snapshot src/customers builds,
 * the same one routing and explicit starts evaluate trigger conditions on, so the run's entry
 * check can never disagree with the decision to start it.
 */
export function createProfileActivities(db: Database) {
  return {
    /** The customer's current profile; an unknown customer fails the activity for good. */
    loadProfile: async (customerId: string): Promise<ProfileSnapshot> => {
      requireId('loadProfile', customerId);
      const profile = await loadProfileSnapshot(db, customerId, await loadScoreCatalogue(db));
      if (!profile) throw customerNotFound(customerId);
      return profile;
    },

    /**
     * Merges `set` into the customer's attributes (a null value removes the attribute) and answers
     * the whole snapshot, last_engaged_at and segments included, so the run's profile keeps every
     * field.
     */
    applyProfileUpdate: async (customerId: string, set: JsonObject): Promise<ProfileSnapshot> => {
      requireId('applyProfileUpdate', customerId);
      const customer = await db
        .transaction(async (tx) => {
          const updated = await updateAttributes(tx, customerId, set);
          // Segments that read the profile look at the customer again, in the same transaction.
          if (updated) await requestProfileChecks(tx, [customerId], new Date());
          return updated;
        })
        .catch((error: unknown) => {
          if (error instanceof AttributeUpdateError)
            throw invalidRequest('applyProfileUpdate', error.message);
          throw error;
        });
      if (!customer) throw customerNotFound(customerId);
      // Read back whole, as loadProfile reads it: last engagement, segments, scores and stage.
      const profile = await loadProfileSnapshot(db, customerId, await loadScoreCatalogue(db));
      if (!profile) throw customerNotFound(customerId);
      return profile;
    },
  };
}

function requireId(activity: string, customerId: unknown): void {
  if (typeof customerId !== 'string' || customerId.length === 0) {
    throw invalidRequest(activity, 'customerId must be a non-empty string');
  }
}
