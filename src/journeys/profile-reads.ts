import type { ConditionGroup, JourneyDefinition, Step } from './schema';

/**
 * Whether the interpreter can read the customer's profile (its attributes, addresses or time
 * zone) in a run of this journey without loading it first. A run of a journey that cannot may
 * enter without loading the profile at all: every send reads the customer itself, and a branch
 * loads a fresh profile before it decides. Conservative: anything not known to go without the
 * profile reads it.
 *
 * Reads: entry conditions (trigger `when`, `audience`: checked on a fresh profile by design);
 * `profile.*` paths in a goal, an exitOn, a waitForEvent's `where` or `match`, or an
 * updateProfile's `from`; a send that is not transactional (quiet hours use the customer's zone);
 * a wait until a local time or the best hour.
 */
export function readsProfile(definition: JourneyDefinition): boolean {
  if (definition.trigger?.when || definition.audience) return true;
  if (groupReadsProfile(definition.goal?.when)) return true;
  if (definition.exitOn?.some((rule) => groupReadsProfile(rule.when))) return true;
  return definition.steps.some(stepReadsProfile);
}

function stepReadsProfile(step: Step): boolean {
  switch (step.type) {
    case 'send':
      return step.kind !== 'transactional';
    case 'wait':
      return step.untilLocalTime !== undefined || step.untilBestHour !== undefined;
    case 'waitForEvent':
      return groupReadsProfile(step.where) || isProfilePath(step.match?.equals);
    case 'updateProfile':
      return Object.values(step.set).some(
        (value) => typeof value === 'object' && value !== null && isProfilePath(value.from),
      );
    // A branch loads the profile it decides on; an exit reads nothing.
    case 'branch':
    case 'exit':
      return false;
    default:
      return unknownStep(step);
  }
}

function groupReadsProfile(group: ConditionGroup | undefined): boolean {
  return group?.conditions.some((condition) => isProfilePath(condition.field)) ?? false;
}

/** scores.* are read from the profile snapshot, so they are profile reads too. */
const isProfilePath = (path: string | undefined): boolean =>
  path !== undefined && ['profile', 'scores'].includes(path.split('.')[0] ?? '');

/** A step type added later reads the profile until this function learns otherwise. */
function unknownStep(step: never): boolean {
  void step;
  return true;
}
