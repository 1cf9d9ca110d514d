import { advance, startRun } from '../../src/journeys/interpreter';
import { nextSendTime } from '../../src/journeys/send-window';
import type { Transition } from '../../src/journeys/run-types';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { profile } from './helpers';

const NEW_YORK = 'America/New_York';
const window = { start: '09:00', end: '20:00' };
const email = { subject: 'Hi', html: '<p>Hi</p>' };

function define(
  extra: Partial<JourneyDefinitionInput> = {},
  kind: 'marketing' | 'transactional' = 'marketing',
) {
  return parseJourneyDefinition({
    id: 'quiet',
    name: 'Quiet',
    entry: 'hello',
    steps: [{ id: 'hello', type: 'send', kind, channel: 'email', content: email }],
    ...extra,
  });
}

function begin(definition: ReturnType<typeof define>, now: number, zone = NEW_YORK): Transition {
  const started = startRun(
    {
      definition,
      journeyVersion: 1,
      customerId: 'c',
      defaultTimeZone: 'UTC',
      defaultSendWindow: window,
    },
    now,
  );
  return advance(definition, started.state, {
    kind: 'profile',
    now,
    profile: profile({ timeZone: zone }),
  });
}

describe('send windows (pure)', () => {
  it.each([
    ['an ordinary night', '2026-11-10T06:00:00Z', '2026-11-10T14:00:00Z'], // 01:00 EST → 09:00 EST
    ['the night clocks spring forward', '2027-03-14T06:00:00Z', '2027-03-14T13:00:00Z'], // 01:00 EST → 09:00 EDT
    ['the night clocks fall back', '2026-11-01T05:00:00Z', '2026-11-01T14:00:00Z'], // 01:00 EDT → 09:00 EST
  ])('hold a 01:00 New York message until 09:00 local on %s', (_name, now, opens) => {
    expect(new Date(nextSendTime(Date.parse(now), window, NEW_YORK)).toISOString()).toBe(
      new Date(opens).toISOString(),
    );
  });

  it('let a message through inside the window, and handle windows over midnight', () => {
    const noon = Date.parse('2026-11-10T17:00:00Z'); // 12:00 EST
    expect(nextSendTime(noon, window, NEW_YORK)).toBe(noon);
    const night = { start: '22:00', end: '06:00' };
    const late = Date.parse('2026-11-11T04:00:00Z'); // 23:00 EST
    expect(nextSendTime(late, night, NEW_YORK)).toBe(late);
    expect(new Date(nextSendTime(noon, night, NEW_YORK)).toISOString()).toBe(
      '2026-11-11T03:00:00.000Z',
    );
  });
});

describe('quiet hours in a run', () => {
  const oneAm = Date.parse('2026-11-10T06:00:00Z');

  it('waits on a timer until the window opens in the customer zone, then sends', () => {
    const definition = define();
    let t = begin(definition, oneAm);
    expect(t.command).toMatchObject({
      kind: 'wait',
      stepId: 'hello',
      until: Date.parse('2026-11-10T14:00:00Z'),
    });
    expect(t.state.trace.find((d) => d.kind === 'quiet_hours')?.detail).toMatchObject({
      reason: 'quiet_hours_deferred',
      zone: NEW_YORK,
    });
    t = advance(definition, t.state, { kind: 'timer', now: Date.parse('2026-11-10T14:00:00Z') });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'hello', messageKey: '0' });
  });

  it('uses the journey window over the deployment default', () => {
    const definition = define({ sendWindow: { start: '00:00', end: '02:00' } });
    expect(begin(definition, oneAm).command).toMatchObject({ kind: 'send' });
  });

  it('never holds back a transactional message', () => {
    expect(begin(define({}, 'transactional'), oneAm).command).toMatchObject({ kind: 'send' });
  });
});

describe('a deferred send', () => {
  it('waits until the cap allows and sends the same message again', () => {
    const definition = define();
    const noon = Date.parse('2026-11-10T17:00:00Z');
    let t = begin(definition, noon);
    expect(t.command).toMatchObject({ kind: 'send', priority: 'normal', onCap: 'defer' });
    const retryAt = noon + 6 * 3_600_000;
    t = advance(definition, t.state, {
      kind: 'send_result',
      now: noon,
      outcome: { status: 'deferred', deliveryId: 'd', reason: 'frequency_capped', retryAt },
    });
    expect(t.command).toMatchObject({ kind: 'wait', until: retryAt });
    expect(t.state.trace.map((d) => d.kind)).toContain('send_deferred');
    t = advance(definition, t.state, { kind: 'timer', now: retryAt });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'hello', messageKey: '0', visit: 1 });
  });

  it('makes low-priority messages skip at a cap unless told otherwise', () => {
    const low = parseJourneyDefinition({
      id: 'low',
      name: 'Low',
      entry: 'hello',
      steps: [{ id: 'hello', type: 'send', priority: 'low', channel: 'email', content: email }],
    });
    expect(begin(low, Date.parse('2026-11-10T17:00:00Z')).command).toMatchObject({ onCap: 'skip' });
  });
});

describe('journey caps', () => {
  it('refuse two caps for the same channel and window, naming the second', () => {
    expect(() =>
      define({
        caps: [
          { channel: 'email', limit: 1, window: '24h' },
          { channel: 'email', limit: 2, window: '1d' },
        ],
      }),
    ).toThrow(/caps\.1.*same window/s);
  });
});
