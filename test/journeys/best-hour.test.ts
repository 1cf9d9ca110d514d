import { bestHour } from '../../src/journeys/best-hour';
import { simulate } from '../../src/journeys/preview';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { profile } from './helpers';

const BERLIN = 'Europe/Berlin';
const at = (iso: string) => Date.parse(iso);

describe('best hour (send-time optimisation)', () => {
  it('is the local hour the customer engaged at most often, ties to the earlier hour', () => {
    const engaged = [
      at('2026-10-01T17:10:00Z'), // 19:10 in Berlin (CEST)
      at('2026-10-03T17:40:00Z'), // 19:40
      at('2026-10-05T06:05:00Z'), // 08:05
      at('2026-11-10T18:20:00Z'), // 19:20 (CET)
    ];
    expect(bestHour(engaged, BERLIN)).toEqual({ hour: 19, basedOn: 4 });
    expect(
      bestHour(
        [
          at('2026-10-01T06:00:00Z'),
          at('2026-10-01T07:00:00Z'),
          at('2026-10-02T06:30:00Z'),
          at('2026-10-02T07:30:00Z'),
        ],
        'UTC',
      ),
    ).toEqual({ hour: 6, basedOn: 4 });
  });

  it('says there is nothing to learn from fewer than three engagements', () => {
    expect(bestHour([at('2026-10-01T17:10:00Z'), at('2026-10-02T17:10:00Z')], BERLIN)).toBeNull();
  });

  const digest = parseJourneyDefinition({
    id: 'digest',
    name: 'Digest',
    entry: 'best_time',
    steps: [
      { id: 'best_time', type: 'wait', untilBestHour: { fallback: '10:00' }, next: 'send' },
      {
        id: 'send',
        type: 'send',
        kind: 'transactional',
        channel: 'email',
        content: { subject: 'Digest', html: '<p>d</p>' },
      },
    ],
  });
  const now = at('2026-11-10T06:00:00Z'); // 07:00 in Berlin

  it('waits for the learned hour in the customer zone', () => {
    const result = simulate(digest, {
      profile: profile({ timeZone: BERLIN }),
      now,
      horizonMs: 3 * 86_400_000,
      engagedAt: [
        at('2026-11-01T19:05:00Z'),
        at('2026-11-02T19:15:00Z'),
        at('2026-11-03T19:30:00Z'),
      ],
    });
    expect(result.sends.map((s) => new Date(s.at).toISOString())).toEqual([
      '2026-11-10T19:00:00.000Z',
    ]);
    expect(result.decisions.find((d) => d.kind === 'best_hour')?.detail).toMatchObject({
      time: '20:00',
      basedOn: 3,
      fallback: false,
    });
  });

  it('uses the documented fallback without history', () => {
    const result = simulate(digest, {
      profile: profile({ timeZone: BERLIN }),
      now,
      horizonMs: 86_400_000,
    });
    expect(result.sends.map((s) => new Date(s.at).toISOString())).toEqual([
      '2026-11-10T09:00:00.000Z',
    ]);
    expect(result.decisions.find((d) => d.kind === 'best_hour')?.detail).toMatchObject({
      fallback: true,
    });
  });
});
