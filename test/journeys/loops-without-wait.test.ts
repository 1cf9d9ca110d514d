import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { validateJourneyDefinition, type DefinitionIssue } from '../../src/journeys/validate';

type StepInput = JourneyDefinitionInput['steps'][number];

const email = { subject: 'Hi', html: '<p>Hi</p>' };
const always = { conditions: [{ field: 'profile.id', op: 'exists' as const, value: true }] };

function journeyOf(steps: StepInput[]): unknown {
  return { id: 'loop-test', name: 'Loop test', entry: steps[0]!.id, steps };
}

function issuesOf(steps: StepInput[]): DefinitionIssue[] {
  const result = validateJourneyDefinition(journeyOf(steps));
  return result.ok ? [] : result.issues;
}

function loopIssues(steps: StepInput[]): DefinitionIssue[] {
  return issuesOf(steps).filter((issue) => issue.message.includes('loop'));
}

describe('publishing refuses a loop of steps without a wait', () => {
  it('refuses a send that leads back to itself, naming the edge and the cycle', () => {
    const issues = loopIssues([
      { id: 'hello', type: 'wait', for: '1h', next: 'nudge' },
      { id: 'nudge', type: 'send', channel: 'email', content: email, next: 'nudge' },
    ]);
    expect(issues).toEqual([
      {
        path: 'steps.1.next',
        message: expect.stringContaining('steps.1.next → steps.1 ("nudge" → "nudge")') as string,
      },
    ]);
    expect(issues[0]?.message).toContain('sends');
  });

  it('follows every edge: next, then, else, onEvent targets and updateProfile', () => {
    const issues = loopIssues([
      { id: 'start', type: 'wait', for: '1h', next: 'check' },
      { id: 'check', type: 'branch', when: always, then: 'wait_more', else: 'mark' },
      { id: 'wait_more', type: 'wait', for: '1d' },
      { id: 'mark', type: 'updateProfile', set: { seen: true }, next: 'nudge' },
      { id: 'nudge', type: 'send', channel: 'email', content: email, next: 'check' },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('steps.1.else');
    expect(issues[0]?.message).toContain(
      'steps.1.else → steps.3.next → steps.4.next → steps.1 ("check" → "mark" → "nudge" → "check")',
    );
  });

  it('refuses a loop whose only wait is an untilSinceEntry moment, which passes once and for all', () => {
    const issues = loopIssues([
      { id: 'nudge', type: 'send', channel: 'email', content: email, next: 'later' },
      { id: 'later', type: 'wait', untilSinceEntry: '1d', next: 'nudge' },
    ]);
    expect(issues).toEqual([
      {
        path: 'steps.0.next',
        message: expect.stringContaining('untilSinceEntry') as string,
      },
    ]);
  });

  it('refuses a multi-message send whose offsets are the only pause in the loop', () => {
    const issues = loopIssues([
      {
        id: 'pair',
        type: 'send',
        messages: [
          { channel: 'email', content: email },
          { channel: 'email', content: email, offset: '1h' },
        ],
        next: 'pair',
      },
    ]);
    expect(issues.map((i) => i.path)).toEqual(['steps.0.next']);
  });

  it('refuses a loop of branches without a send as well: it could only spin', () => {
    const issues = loopIssues([
      { id: 'left', type: 'branch', when: always, then: 'right' },
      { id: 'right', type: 'branch', when: always, else: 'left' },
    ]);
    expect(issues).toEqual([
      {
        path: 'steps.0.then',
        message: expect.stringContaining('steps.0.then → steps.1.else → steps.0') as string,
      },
    ]);
  });

  it('reports each loop once, however many of its steps send', () => {
    const issues = loopIssues([
      { id: 'one', type: 'send', channel: 'email', content: email, next: 'two' },
      { id: 'two', type: 'send', channel: 'email', content: email, next: 'one' },
    ]);
    expect(issues).toHaveLength(1);
  });

  it('checks a long journey in linear time: 20,000 steps, one loop through them all', () => {
    const ring = (n: number): StepInput[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `s${i}`,
        type: 'send',
        channel: 'email',
        content: email,
        next: `s${(i + 1) % n}`,
      }));
    const big = ring(20_000);
    expect(loopIssues(big).map((i) => i.path)).toEqual(['steps.0.next']);
    // Linear: ten times the steps take about ten times as long; a quadratic check would take a
    // hundred times. Compared within one run (best of three each), so a loaded machine slows both.
    const best = (steps: StepInput[]) =>
      Math.min(
        ...[0, 1, 2].map(() => {
          const started = performance.now();
          loopIssues(steps);
          return performance.now() - started;
        }),
      );
    const small = best(ring(2_000));
    expect(best(big) / small).toBeLessThan(40);
  });

  it('accepts loops that wait: a duration, a local time, a best hour, a waitForEvent', () => {
    const send = (next: string): StepInput => ({
      id: 'nudge',
      type: 'send',
      channel: 'email',
      content: email,
      next,
    });
    const waits: StepInput[] = [
      { id: 'pause', type: 'wait', for: '1d', next: 'nudge' },
      { id: 'pause', type: 'wait', untilLocalTime: '09:00', next: 'nudge' },
      { id: 'pause', type: 'wait', untilBestHour: { fallback: '10:00' }, next: 'nudge' },
      {
        id: 'pause',
        type: 'waitForEvent',
        event: 'email_opened',
        timeout: '2d',
        onEvent: 'nudge',
        onTimeout: 'nudge',
      },
    ];
    for (const wait of waits) {
      expect(issuesOf([send('pause'), wait])).toEqual([]);
    }
  });

  it('accepts a journey whose steps only go forward, and ignores targets that do not exist', () => {
    expect(
      issuesOf([
        { id: 'hello', type: 'send', channel: 'email', content: email, next: 'check' },
        { id: 'check', type: 'branch', when: always, then: 'bye', else: 'bye' },
        { id: 'bye', type: 'send', channel: 'email', content: email },
      ]),
    ).toEqual([]);
    expect(
      issuesOf([{ id: 'hello', type: 'send', channel: 'email', content: email, next: 'nowhere' }]),
    ).toEqual([{ path: 'steps.0.next', message: 'no step with id "nowhere"' }]);
  });
});
