import { journeyDefinitionSchema } from '../../src/journeys/schema';
import {
  JourneyValidationError,
  parseJourneyDefinition,
  validateJourneyDefinition,
} from '../../src/journeys/validate';

const valid = {
  id: 'test-journey',
  name: 'Test',
  entry: 'hello',
  steps: [
    {
      id: 'hello',
      type: 'send',
      channel: 'email',
      content: { subject: 'Hi', html: '<p>Hi</p>' },
      next: 'pause',
    },
    { id: 'pause', type: 'wait', for: '1h' },
  ],
};

function issuesOf(input: unknown) {
  const result = validateJourneyDefinition(input);
  if (result.ok) throw new Error('expected the definition to be rejected');
  return result.issues;
}

describe('journey definition validation', () => {
  it('accepts a valid definition and applies defaults', () => {
    const definition = parseJourneyDefinition(valid);
    expect(definition.reEntry).toEqual({ mode: 'after_exit' });
    expect(definition.exitOn).toEqual([]);
    expect(definition.steps[0]).toMatchObject({ kind: 'marketing' });
  });

  it('rejects duplicate step ids at the duplicate', () => {
    const input = { ...valid, steps: [...valid.steps, { id: 'pause', type: 'exit' }] };
    expect(issuesOf(input)).toContainEqual({
      path: 'steps.2.id',
      message: 'duplicate step id "pause"',
    });
  });

  it('rejects unknown targets naming the field', () => {
    const input = {
      ...valid,
      steps: [valid.steps[0], { id: 'pause', type: 'wait', for: '1h', next: 'nowhere' }],
    };
    expect(issuesOf(input)).toContainEqual({
      path: 'steps.1.next',
      message: 'no step with id "nowhere"',
    });
  });

  it('rejects an unknown entry', () => {
    expect(issuesOf({ ...valid, entry: 'missing' })).toContainEqual({
      path: 'entry',
      message: 'no step with id "missing"',
    });
  });

  it('rejects a wait with two forms, or none', () => {
    const two = {
      ...valid,
      steps: [valid.steps[0], { id: 'pause', type: 'wait', for: '1h', untilLocalTime: '09:00' }],
    };
    const message =
      'a wait step needs exactly one of "for", "untilSinceEntry", "untilLocalTime", "untilBestHour"';
    expect(issuesOf(two)).toContainEqual({ path: 'steps.1', message });
    const none = { ...valid, steps: [valid.steps[0], { id: 'pause', type: 'wait' }] };
    expect(issuesOf(none)).toContainEqual({ path: 'steps.1', message });
  });

  it('rejects bad durations, paths and branch targets', () => {
    const input = {
      ...valid,
      steps: [
        valid.steps[0],
        { id: 'pause', type: 'wait', for: '1 hour' },
        {
          id: 'check',
          type: 'branch',
          when: { conditions: [{ field: 'customer.age', op: 'gt', value: 1 }] },
          then: 'gone',
        },
      ],
    };
    const issues = issuesOf(input);
    expect(issues).toContainEqual({
      path: 'steps.1.for',
      message: 'must be a duration such as "30m", "24h" or "2d"',
    });
    expect(issues).toContainEqual({
      path: 'steps.2.when.conditions.0.field',
      message:
        'must start with profile., trigger., event., context., engagement., segments. or scores.',
    });
  });

  it('throws a JourneyValidationError listing every issue', () => {
    const input = {
      ...valid,
      entry: 'missing',
      steps: [...valid.steps, { id: 'pause', type: 'exit' }],
    };
    expect(() => parseJourneyDefinition(input)).toThrow(JourneyValidationError);
    expect(() => parseJourneyDefinition(input)).toThrow(
      'invalid journey definition: steps.2.id: duplicate step id "pause"; entry: no step with id "missing"',
    );
  });

  it('accepts a cooldown on keyed re-entry', () => {
    const parsed = journeyDefinitionSchema.parse({
      ...valid,
      reEntry: { mode: 'keyed', key: 'cart_id', cooldown: '168h' },
    });
    expect(parsed.reEntry).toEqual({ mode: 'keyed', key: 'cart_id', cooldown: '168h' });
  });
});

describe('validation of durations inside cross-field checks', () => {
  it('reports a bad goal window, message offset or cap window instead of throwing', () => {
    const email = { channel: 'email', content: { subject: 'S', html: 'h' } };
    const input = {
      ...valid,
      goal: { event: 'purchase', within: 'soon' },
      caps: [{ channel: 'email', limit: 1, window: 'daily' }],
      steps: [
        {
          id: 'hello',
          type: 'send',
          messages: [{ ...email, offset: 'later' }, email],
          next: 'pause',
        },
        { id: 'pause', type: 'wait', for: '1h' },
      ],
    };
    expect(issuesOf(input).map((i) => i.path)).toEqual(
      expect.arrayContaining(['goal.within', 'caps.0.window', 'steps.0.messages.0.offset']),
    );
  });
});

describe('durations are bounded at publish', () => {
  const withWait = (wait: Record<string, unknown>) => ({
    ...valid,
    steps: [valid.steps[0], { id: 'pause', type: 'wait', ...wait }],
  });

  it('refuses a duration too large to be a number of milliseconds, naming the field', () => {
    expect(issuesOf(withWait({ for: '99999999999999999999w' }))).toEqual([
      { path: 'steps.1.for', message: 'must be at most 3650d (ten years)' },
    ]);
  });

  it('refuses every duration beyond ten years, wherever it is', () => {
    const input = {
      ...valid,
      maxDuration: '3651d',
      reEntry: { mode: 'cooldown', cooldown: '8760000h' },
      caps: [{ channel: 'email', limit: 1, window: '600w' }],
      steps: [
        { ...valid.steps[0], next: 'pause' },
        { id: 'pause', type: 'wait', untilSinceEntry: '315360001s', next: 'wait_open' },
        {
          id: 'wait_open',
          type: 'waitForEvent',
          event: 'email_opened',
          timeout: '5256001m',
        },
      ],
    };
    expect(issuesOf(input).map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        'maxDuration',
        'reEntry.cooldown',
        'caps.0.window',
        'steps.1.untilSinceEntry',
        'steps.2.timeout',
      ]),
    );
  });

  it('accepts ten years exactly, and a condition reaching a hundred years back', () => {
    const olderThan = (value: string) => ({
      ...valid,
      audience: { conditions: [{ field: 'profile.born_at', op: 'older_than', value }] },
      maxDuration: '3650d',
    });
    expect(validateJourneyDefinition(olderThan('6575d')).ok).toBe(true);
    expect(issuesOf(olderThan('36501d'))).toEqual([
      {
        path: 'audience.conditions.0.value',
        message: 'must be at most 36500d (a hundred years)',
      },
    ]);
  });
});
