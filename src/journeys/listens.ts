import type { JourneyDefinition } from './schema';

/**
 * Every event type a run of this journey can react to: waitForEvent steps, exitOn, the goal and
 * the vetoes of a delayed entry.
 * The runs registry stores this list to route incoming events exactly.
 */
export function eventTypesListenedTo(definition: JourneyDefinition): string[] {
  const stepEvents = definition.steps.flatMap((step) =>
    step.type === 'waitForEvent' ? [step.event] : [],
  );
  // A run waiting to enter ends on a veto (entry-delay.ts): it hears of one as it happens.
  const { trigger } = definition;
  const vetoEvents = trigger?.delay ? (trigger.vetoedBy ?? []).map((veto) => veto.event) : [];
  return unique([...stepEvents, ...journeyEventTypes(definition), ...vetoEvents]);
}

/** The journey-level event types (exitOn and goal) that matter whatever the current step. */
export function journeyEventTypes(definition: JourneyDefinition): string[] {
  const exitEvents = (definition.exitOn ?? []).map((rule) => rule.event);
  const goalEvents = definition.goal ? [definition.goal.event] : [];
  return unique([...exitEvents, ...goalEvents]);
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
