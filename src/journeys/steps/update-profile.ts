import { resolveField } from '../field-paths';
import { issue, record, scopeOf } from '../run-context';
import type { JsonObject } from '../run-types';
import type { UpdateProfileStep } from '../schema';
import type { StepHandler } from './step-handler';

/**
 * updateProfile: sets attributes on the customer. Literal values go through as they are;
 * { from: path } copies a value from the run's data. A missing source fails closed: that
 * attribute is left out (never written as null) and the trace names the path.
 */
export const updateProfileStep: StepHandler<UpdateProfileStep> = {
  enter(ctx, step) {
    const set: JsonObject = {};
    const skipped: string[] = [];
    for (const [attribute, value] of Object.entries(step.set)) {
      if (value !== null && typeof value === 'object') {
        const resolved = resolveField(value.from, scopeOf(ctx));
        if (resolved.missing) skipped.push(`${attribute} (from ${value.from})`);
        else set[attribute] = resolved.value;
      } else {
        set[attribute] = value;
      }
    }
    if (skipped.length > 0) {
      record(ctx, {
        kind: 'condition',
        summary: `left out of the profile update, source missing: ${skipped.join(', ')}`,
        detail: { skipped },
      });
    }
    if (Object.keys(set).length === 0) {
      record(ctx, { kind: 'profile_updated', summary: 'nothing to update; continuing' });
      return { goto: step.next };
    }
    const visit = ctx.state.visits[step.id] ?? 1;
    return issue(ctx, { kind: 'update_profile', stepId: step.id, visit, set });
  },

  profileUpdated(ctx, step, profile, update) {
    ctx.state.profile = profile;
    record(ctx, {
      kind: 'profile_updated',
      summary: `profile updated: ${Object.keys(update.set).join(', ')}`,
    });
    return { goto: step.next };
  },
};
