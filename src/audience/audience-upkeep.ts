import type { AudienceEvent, AudienceUpkeep } from '../routing/types';
import { liveLifecycleStages } from './lifecycle-stages';
import { liveMembership, type LiveMembershipOptions } from './live-membership';
import { liveScores } from './live-scores';
import { profileRules } from './profile-rules';

/**
 * The audience layer as the router runs it: each part in order, for every claimed batch and once
 * a pass. The order is the order of dependence: a part may read what an earlier one wrote for the
 * same batch (segments read profile attributes and scores; lifecycle stages read segments).
 */
export function audienceUpkeep(options: LiveMembershipOptions): AudienceUpkeep {
  const rules = profileRules({
    db: options.db,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return composed([
    rules,
    liveScores(options),
    liveMembership(options),
    liveLifecycleStages(options),
  ]);
}

function composed(parts: AudienceUpkeep[]): AudienceUpkeep {
  return {
    async forEvents(batch: readonly AudienceEvent[]): Promise<number> {
      let changes = 0;
      for (const part of parts) changes += await part.forEvents(batch);
      return changes;
    },
    async upkeep(): Promise<number> {
      let work = 0;
      for (const part of parts) work += await part.upkeep();
      return work;
    },
  };
}
