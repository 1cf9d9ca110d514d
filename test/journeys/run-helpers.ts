import { advance, startRun } from '../../src/journeys/interpreter';
import type { Input, JourneyEvent, Transition } from '../../src/journeys/run-types';
import {
  stepSchema,
  type JourneyDefinition,
  type JourneyDefinitionInput,
} from '../../src/journeys/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { T0, profile } from './helpers';

/** A validated test journey whose entry is its first step. */
export function define(
  steps: JourneyDefinitionInput['steps'],
  extra: Partial<JourneyDefinitionInput> = {},
): JourneyDefinition {
  return parseJourneyDefinition({
    id: 'test-journey',
    name: 'Test',
    entry: steps[0]!.id,
    steps,
    ...extra,
  });
}

/**
 * A journey stored before publishing refused loops without a wait: each step is parsed, the
 * graph is not checked. Runs of such journeys still exist, so the interpreter must stop them.
 */
export function defineUnchecked(steps: JourneyDefinitionInput['steps']): JourneyDefinition {
  const placeholder = define([{ id: 'placeholder', type: 'exit' }]);
  return { ...placeholder, entry: steps[0]!.id, steps: steps.map((s) => stepSchema.parse(s)) };
}

/** Starts a run and feeds it its first profile. */
export function begin(
  definition: JourneyDefinition,
  options: { trigger?: JourneyEvent; key?: string; fields?: object } = {},
): Transition {
  const started = startRun(
    {
      definition,
      journeyVersion: 3,
      customerId: 'cust-1',
      defaultTimeZone: 'UTC',
      ...(options.trigger ? { trigger: options.trigger } : {}),
      ...(options.key ? { key: options.key } : {}),
    },
    T0,
  );
  expect(started.command).toEqual({ kind: 'load_profile' });
  return advance(definition, started.state, {
    kind: 'profile',
    now: T0,
    profile: profile(options.fields as never),
  });
}

export const feed = (definition: JourneyDefinition, t: Transition, input: Input) =>
  advance(definition, t.state, input);
