import { advance, startRun } from '../../src/journeys/interpreter';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { DAY, HOUR, T0, event, profile } from './helpers';

const definition = parseJourneyDefinition({
  id: 'app-nudge',
  name: 'App nudge',
  entry: 'nudge',
  steps: [
    {
      id: 'nudge',
      type: 'send',
      channel: 'push',
      content: { title: 'Hi', body: 'Come back' },
      next: 'pause',
    },
    { id: 'pause', type: 'wait', for: '1d', next: 'check' },
    {
      id: 'check',
      type: 'branch',
      when: { conditions: [{ field: 'engagement.nudge.opened', op: 'eq', value: true }] },
      then: 'done',
      else: 'again',
    },
    { id: 'done', type: 'exit' },
    { id: 'again', type: 'send', channel: 'email', content: { subject: 'Hi', html: '<p>Hi</p>' } },
  ],
});

it('credits an engagement event that names only its delivery to the step that sent it', () => {
  let t = startRun(
    { definition, journeyVersion: 1, customerId: 'cust-1', defaultTimeZone: 'UTC' },
    T0,
  );
  t = advance(definition, t.state, { kind: 'profile', now: T0, profile: profile() });
  t = advance(definition, t.state, {
    kind: 'send_result',
    now: T0,
    outcome: { status: 'sent', deliveryId: '0b7e9a5c-2f55-4d5e-9a44-6f1e6a1b2c3d' },
  });
  t = advance(definition, t.state, {
    kind: 'event',
    now: T0 + HOUR,
    event: event('push_opened', { deliveryId: '0b7e9a5c-2f55-4d5e-9a44-6f1e6a1b2c3d' }),
  });
  t = advance(definition, t.state, { kind: 'timer', now: T0 + DAY });
  t = advance(definition, t.state, { kind: 'profile', now: T0 + DAY, profile: profile() });
  expect(t.command).toMatchObject({ kind: 'finish', reason: 'exit_step' });
});
