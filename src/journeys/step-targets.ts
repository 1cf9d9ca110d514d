import type { Step } from './schema';

/**
 * The outgoing edges of a step, by the field that names them: every way a run can go from one
 * step to another. A step type with edges of its own (split cohorts, say) adds them here, and
 * the target and loop checks of publishing follow them.
 */
export function stepTargets(step: Step): Record<string, string | undefined> {
  switch (step.type) {
    case 'waitForEvent':
      return { onEvent: step.onEvent, onTimeout: step.onTimeout };
    case 'branch':
      return { then: step.then, else: step.else };
    case 'exit':
      return {};
    default:
      return { next: step.next };
  }
}
