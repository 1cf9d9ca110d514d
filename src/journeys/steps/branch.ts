import { evaluateConditionGroup } from '../conditions';
import { issue, record, scopeOf } from '../run-context';
import type { BranchStep } from '../schema';
import { outcomesDetail, outcomesSummary } from '../trace';
import type { StepHandler } from './step-handler';

/**
 * branch: `when` decides between `then` and `else`. Conditions must see the profile as it is
 * now, not as it was when the run entered, so the step first asks the driver for it.
 */
export const branchStep: StepHandler<BranchStep> = {
  enter: (ctx) => issue(ctx, { kind: 'load_profile' }),

  profile(ctx, step, profile) {
    ctx.state.profile = profile;
    const result = evaluateConditionGroup(step.when, scopeOf(ctx), ctx.now);
    const target = result.passed ? step.then : step.else;
    record(ctx, {
      kind: 'branch',
      summary: `${step.id}: ${outcomesSummary(result.outcomes, step.when.match ?? 'all')} → ${result.passed ? 'then' : 'else'} (${target ?? 'end'})`,
      detail: { passed: result.passed, outcomes: outcomesDetail(result.outcomes) },
    });
    return { goto: target };
  },
};
