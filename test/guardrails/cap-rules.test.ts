import {
  CapRulesError,
  evaluateCaps,
  mergeCapRules,
  parseCapRules,
  parseFrequencyCapsEnv,
  windowMs,
  type CapClaim,
  type CapRule,
} from '../../src/guardrails/cap-rules';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2024-05-01T12:00:00Z');

const ago = (ms: number) => new Date(NOW.getTime() - ms);
const claim = (channel: string, msAgo: number): CapClaim => ({ channel, claimedAt: ago(msAgo) });

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof CapRulesError) return error.issues;
    throw error;
  }
  throw new Error('expected a CapRulesError');
}

describe('parseFrequencyCapsEnv', () => {
  it('parses the documented example', () => {
    const rules = parseFrequencyCapsEnv(
      '[{"channel":"email","limit":1,"window":"1d"},{"channel":"sms","limit":2,"window":"7d"},{"channel":"all","limit":3,"window":"1d"}]',
    );
    expect(rules).toEqual([
      { channel: 'email', limit: 1, window: '1d' },
      { channel: 'sms', limit: 2, window: '7d' },
      { channel: 'all', limit: 3, window: '1d' },
    ]);
  });

  it('means no caps when unset or blank', () => {
    expect(parseFrequencyCapsEnv(undefined)).toEqual([]);
    expect(parseFrequencyCapsEnv('  ')).toEqual([]);
  });

  it('names the variable when the JSON is broken or not an array', () => {
    expect(issuesOf(() => parseFrequencyCapsEnv('[{"channel":'))).toEqual([
      {
        path: 'CAIRN_FREQUENCY_CAPS',
        message: expect.stringContaining('not valid JSON') as string,
      },
    ]);
    expect(issuesOf(() => parseFrequencyCapsEnv('{"channel":"email"}'))).toEqual([
      { path: 'CAIRN_FREQUENCY_CAPS', message: 'must be an array of rules' },
    ]);
  });

  it('names the entry and field of each bad rule', () => {
    const issues = issuesOf(() =>
      parseFrequencyCapsEnv(
        '[{"channel":"email","limit":1,"window":"1d"},{"channel":"fax","limit":0,"window":"1 day"}]',
      ),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'CAIRN_FREQUENCY_CAPS[1].channel',
      'CAIRN_FREQUENCY_CAPS[1].limit',
      'CAIRN_FREQUENCY_CAPS[1].window',
    ]);
    expect(issues[0]?.message).toContain('email, sms, push, webhook, in_app, all');
  });
});

describe('parseCapRules', () => {
  it.each([
    [{ channel: 'email', limit: 1.5, window: '1d' }, '[0].limit'],
    [{ channel: 'email', limit: '2', window: '1d' }, '[0].limit'],
    [{ channel: 'email', limit: -1, window: '1d' }, '[0].limit'],
    [{ channel: 'email', limit: 1, window: 0 }, '[0].window'],
    [{ channel: 'email', limit: 1, window: '0d' }, '[0].window'],
    [{ channel: 'email', limit: 1 }, '[0].window'],
    [{ limit: 1, window: '1d' }, '[0].channel'],
    [{ channel: 'email', limit: 1, window: '1d', priority: 2 }, '[0].priority'],
  ])('rejects %j at %s', (rule, path) => {
    expect(issuesOf(() => parseCapRules([rule]))).toEqual([
      { path: `frequencyCaps${path}`, message: expect.any(String) as string },
    ]);
  });

  it('rejects entries that are not objects', () => {
    expect(issuesOf(() => parseCapRules(['email'], 'caps'))).toEqual([
      { path: 'caps[0]', message: 'must be an object with channel, limit and window' },
    ]);
  });

  it('rejects two rules for the same channel and window length, "24h" and "1d" alike', () => {
    const issues = issuesOf(() =>
      parseCapRules([
        { channel: 'email', limit: 1, window: '1d' },
        { channel: 'sms', limit: 1, window: '1d' },
        { channel: 'email', limit: 3, window: '24h' },
      ]),
    );
    expect(issues).toEqual([
      { path: 'frequencyCaps[2]', message: expect.stringContaining('frequencyCaps[0]') as string },
    ]);
  });

  it('accepts several windows for one channel', () => {
    const rules = [
      { channel: 'email', limit: 1, window: '1d' },
      { channel: 'email', limit: 3, window: '1w' },
    ];
    expect(parseCapRules(rules)).toEqual(rules);
  });
});

describe('mergeCapRules', () => {
  const global: CapRule[] = [
    { channel: 'email', limit: 1, window: '1d' },
    { channel: 'sms', limit: 2, window: '7d' },
    { channel: 'all', limit: 3, window: '1d' },
  ];

  it('replaces a global rule of the same channel and window length in place, looser or stricter', () => {
    expect(
      mergeCapRules(global, [
        { channel: 'email', limit: 2, window: '24h' },
        { channel: 'sms', limit: 1, window: '1w' },
      ]),
    ).toEqual([
      { channel: 'email', limit: 2, window: '24h' },
      { channel: 'sms', limit: 1, window: '1w' },
      { channel: 'all', limit: 3, window: '1d' },
    ]);
  });

  it('adds overrides for other channels or windows after the global rules', () => {
    expect(mergeCapRules(global, [{ channel: 'email', limit: 5, window: '7d' }])).toEqual([
      ...global,
      { channel: 'email', limit: 5, window: '7d' },
    ]);
  });

  it('keeps the global rules without overrides; of repeated overrides the lowest limit applies', () => {
    expect(mergeCapRules(global, [])).toEqual(global);
    expect(
      mergeCapRules(global, [
        { channel: 'all', limit: 5, window: '1d' },
        { channel: 'all', limit: 2, window: '24h' },
        { channel: 'all', limit: 4, window: '1d' },
      ]),
    ).toEqual([
      { channel: 'email', limit: 1, window: '1d' },
      { channel: 'sms', limit: 2, window: '7d' },
      { channel: 'all', limit: 2, window: '24h' },
    ]);
  });
});

describe('window arithmetic', () => {
  it('measures windows in milliseconds', () => {
    expect(windowMs({ channel: 'email', limit: 1, window: '12h' })).toBe(12 * HOUR);
    expect(windowMs({ channel: 'email', limit: 1, window: '7d' })).toBe(7 * DAY);
  });

  const emailDaily: CapRule = { channel: 'email', limit: 1, window: '1d' };

  it('allows a message while the window has room', () => {
    expect(evaluateCaps([emailDaily], 'email', [], NOW)).toBeNull();
    expect(evaluateCaps([emailDaily], 'email', [claim('sms', HOUR)], NOW)).toBeNull();
  });

  it('caps until the oldest counted claim leaves the window; one exactly a window old has left', () => {
    expect(evaluateCaps([emailDaily], 'email', [claim('email', 2 * HOUR)], NOW)).toEqual({
      rule: emailDaily,
      retryAt: new Date(ago(2 * HOUR).getTime() + DAY),
      counted: 1,
    });
    expect(evaluateCaps([emailDaily], 'email', [claim('email', DAY)], NOW)).toBeNull();
  });

  it('waits for enough claims to expire when the window holds more than the limit', () => {
    const rule: CapRule = { channel: 'email', limit: 2, window: '1d' };
    const claims = [claim('email', 20 * HOUR), claim('email', 10 * HOUR), claim('email', HOUR)];
    expect(evaluateCaps([rule], 'email', claims, NOW)).toEqual({
      rule,
      retryAt: new Date(ago(10 * HOUR).getTime() + DAY),
      counted: 3,
    });
  });

  it('counts every channel for an "all" rule and ignores rules of other channels', () => {
    const all: CapRule = { channel: 'all', limit: 2, window: '1d' };
    const sms: CapRule = { channel: 'sms', limit: 1, window: '1d' };
    const claims = [claim('sms', 3 * HOUR), claim('push', HOUR)];
    expect(evaluateCaps([sms, all], 'email', claims, NOW)).toMatchObject({
      rule: all,
      counted: 2,
    });
  });

  it('reports the breached rule that frees up last', () => {
    const daily: CapRule = { channel: 'sms', limit: 1, window: '1d' };
    const weekly: CapRule = { channel: 'sms', limit: 2, window: '7d' };
    const claims = [claim('sms', 3 * DAY), claim('sms', HOUR)];
    expect(evaluateCaps([daily, weekly], 'sms', claims, NOW)).toEqual({
      rule: weekly,
      retryAt: new Date(ago(3 * DAY).getTime() + 7 * DAY),
      counted: 2,
    });
  });
});
