import type { z } from 'zod';
import type {
  Condition,
  ConditionGroup,
  Duration,
  EventMatch,
  JourneyDefinition,
  JourneyDefinitionInput,
  ReEntry,
  stepSchema,
} from './schema';
import { parseJourneyDefinition } from './validate';

/**
 * Code-first journeys. The builders produce exactly the JSON a journey author would write and
 * validate it with the schema on build():
 *
 *   journey('abandoned-cart')
 *     .name('Abandoned cart')
 *     .trigger('cart_abandoned', where(field('trigger.properties.cart_value').gt(25)))
 *     .keyedBy('cart_id')
 *     .exitOn('purchase', { match: 'cart_id' })
 *     .steps((s) => [s.wait('wait_1h', { untilSinceEntry: '1h' }), s.send('reminder', { ... })])
 *     .build();
 *
 * Inside steps(), a send, wait or updateProfile step without `next` continues with the step
 * listed after it; pass `end: true` to end the run there instead.
 */

type StepInput = z.input<typeof stepSchema>;
type Scalar = string | number | boolean;
type StepOf<T extends StepInput['type']> = Extract<StepInput, { type: T }>;
type Options<T extends StepInput['type'], Omitted extends string> = Omit<
  StepOf<T>,
  'type' | 'id' | Omitted
>;

/** A step as the builder takes it: the JSON form, plus `end` to stop automatic chaining. */
export type BuilderStep = StepInput & { end?: boolean };

export function field(path: string) {
  const make = <C extends Condition>(condition: C): C => condition;
  return {
    eq: (value: Scalar) => make({ field: path, op: 'eq', value }),
    ne: (value: Scalar) => make({ field: path, op: 'ne', value }),
    gt: (value: Scalar) => make({ field: path, op: 'gt', value }),
    gte: (value: Scalar) => make({ field: path, op: 'gte', value }),
    lt: (value: Scalar) => make({ field: path, op: 'lt', value }),
    lte: (value: Scalar) => make({ field: path, op: 'lte', value }),
    contains: (value: Scalar) => make({ field: path, op: 'contains', value }),
    in: (values: Scalar[]) => make({ field: path, op: 'in', value: values }),
    notIn: (values: Scalar[]) => make({ field: path, op: 'not_in', value: values }),
    exists: () => make({ field: path, op: 'exists', value: true }),
    missing: () => make({ field: path, op: 'exists', value: false }),
    within: (duration: Duration) => make({ field: path, op: 'within', value: duration }),
    olderThan: (duration: Duration) => make({ field: path, op: 'older_than', value: duration }),
  };
}

/** All conditions must pass. */
export function where(...conditions: Condition[]): ConditionGroup {
  return { match: 'all', conditions };
}

/** At least one condition must pass. */
export function whereAny(...conditions: Condition[]): ConditionGroup {
  return { match: 'any', conditions };
}

type Chain = { end?: boolean };

export const steps = {
  /** One message (`channel` defaults to email) or several (`messages`). */
  send: (id: string, options: Options<'send', never> & Chain): BuilderStep => ({
    id,
    type: 'send',
    ...(options.messages || options.channel ? {} : { channel: 'email' as const }),
    ...options,
  }),
  wait: (id: string, options: Options<'wait', never> & Chain): BuilderStep => ({
    id,
    type: 'wait',
    ...options,
  }),
  waitForEvent: (id: string, options: Options<'waitForEvent', never>): BuilderStep => ({
    id,
    type: 'waitForEvent',
    ...options,
  }),
  branch: (id: string, when: ConditionGroup, options: Options<'branch', 'when'>): BuilderStep => ({
    id,
    type: 'branch',
    when,
    ...options,
  }),
  updateProfile: (
    id: string,
    set: StepOf<'updateProfile'>['set'],
    options: Options<'updateProfile', 'set'> & Chain = {},
  ): BuilderStep => ({
    id,
    type: 'updateProfile',
    set,
    ...options,
  }),
  exit: (id: string, options: Options<'exit', never> = {}): BuilderStep => ({
    id,
    type: 'exit',
    ...options,
  }),
};

export type StepHelpers = typeof steps;

/** A key match: the property name (compared with the run key), or the full JSON form. */
export type MatchOption = string | EventMatch;

export interface RuleOptions {
  match?: MatchOption;
  when?: ConditionGroup;
}

export type GoalOptions = Omit<NonNullable<JourneyDefinitionInput['goal']>, 'event' | 'match'> & {
  match?: MatchOption;
};

function matchOf(match: MatchOption): EventMatch {
  return typeof match === 'string' ? { key: match } : match;
}

function ruleParts(options: ConditionGroup | RuleOptions | undefined) {
  if (options === undefined) return {};
  if ('conditions' in options) return { when: options };
  return {
    ...(options.match ? { match: matchOf(options.match) } : {}),
    ...(options.when ? { when: options.when } : {}),
  };
}

export class JourneyBuilder {
  private readonly json: Partial<JourneyDefinitionInput> & { id: string };

  constructor(id: string) {
    this.json = { id };
  }

  name(name: string): this {
    return this.with({ name });
  }

  description(description: string): this {
    return this.with({ description });
  }

  trigger(event: string, when?: ConditionGroup): this {
    return this.with({ trigger: when ? { event, when } : { event } });
  }

  audience(audience: ConditionGroup): this {
    return this.with({ audience });
  }

  reEntry(reEntry: ReEntry): this {
    return this.with({ reEntry });
  }

  once(): this {
    return this.reEntry({ mode: 'once' });
  }

  cooldown(cooldown: Duration): this {
    return this.reEntry({ mode: 'cooldown', cooldown });
  }

  keyedBy(key: string, options: { cooldown?: Duration } = {}): this {
    return this.reEntry({ mode: 'keyed', key, ...options });
  }

  /**
   * An event that ends the run: `.exitOn('unsubscribe')`, with conditions
   * `.exitOn('unsubscribe', where(...))`, or only when it is about this run's key
   * `.exitOn('purchase', { match: 'cart_id' })` (a purchase of another cart leaves it running).
   */
  exitOn(event: string, options?: ConditionGroup | RuleOptions): this {
    const rule = { event, ...ruleParts(options) };
    return this.with({ exitOn: [...(this.json.exitOn ?? []), rule] });
  }

  /** The journey's goal; `match` as in exitOn scopes it to this run's key. */
  goal(event: string, options: GoalOptions = {}): this {
    const { match, ...rest } = options;
    return this.with({ goal: { event, ...rest, ...(match ? { match: matchOf(match) } : {}) } });
  }

  maxDuration(maxDuration: Duration): this {
    return this.with({ maxDuration });
  }

  /** The first step; defaults to the first step listed. */
  entry(entry: string): this {
    return this.with({ entry });
  }

  steps(list: BuilderStep[] | ((s: StepHelpers) => BuilderStep[])): this {
    const built = typeof list === 'function' ? list(steps) : list;
    return this.with({ steps: chain(built), entry: this.json.entry ?? built[0]?.id });
  }

  /** The definition as JSON, before validation. */
  toJSON(): JourneyDefinitionInput {
    return { ...this.json } as JourneyDefinitionInput;
  }

  /** The validated definition (defaults applied); JourneyValidationError names every problem. */
  build(): JourneyDefinition {
    return parseJourneyDefinition(this.toJSON());
  }

  private with(part: Partial<JourneyDefinitionInput>): this {
    Object.assign(this.json, part);
    return this;
  }
}

export function journey(id: string): JourneyBuilder {
  return new JourneyBuilder(id);
}

const CHAINED = new Set(['send', 'wait', 'updateProfile']);

function chain(list: BuilderStep[]): StepInput[] {
  return list.map((step, index) => {
    const { end, ...json } = step;
    const following = list[index + 1];
    const linear = CHAINED.has(json.type) && !('next' in json && json.next !== undefined);
    if (!linear || end || !following) return json;
    return { ...json, next: following.id } as StepInput;
  });
}
