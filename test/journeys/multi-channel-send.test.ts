import { advance, startRun } from '../../src/journeys/interpreter';
import type { Command, SendOutcome, Transition } from '../../src/journeys/run-types';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { JourneyValidationError, parseJourneyDefinition } from '../../src/journeys/validate';
import { HOUR, T0, profile } from './helpers';

const welcome = { subject: 'Welcome', html: '<p>Hi</p>' };
const push = { title: 'Finish setting up', body: 'Two minutes, promise', deepLink: 'app://setup' };

function define(steps: JourneyDefinitionInput['steps']) {
  return parseJourneyDefinition({ id: 'multi', name: 'Multi', entry: steps[0]!.id, steps });
}

const onboarding = define([
  {
    id: 'hello',
    type: 'send',
    messages: [
      { channel: 'email', content: welcome },
      { channel: 'push', content: push, offset: '1h' },
    ],
    next: 'nudge',
  },
  {
    id: 'nudge',
    type: 'send',
    channel: 'sms',
    content: { text: 'Need help? {{links.help_center}}' },
    fallback: { channel: 'email', content: { subject: 'Need help?', html: '<p>Help</p>' } },
  },
]);

function begin(): Transition {
  const started = startRun(
    { definition: onboarding, journeyVersion: 1, customerId: 'cust-1', defaultTimeZone: 'UTC' },
    T0,
  );
  return advance(onboarding, started.state, { kind: 'profile', now: T0, profile: profile() });
}

const sent = (now: number, outcome: Partial<SendOutcome> = {}) =>
  ({ kind: 'send_result', now, outcome: { status: 'sent', deliveryId: 'd', ...outcome } }) as const;

function expectSend(command: Command, channel: string, messageKey: string) {
  expect(command).toMatchObject({ kind: 'send', channel, messageKey });
}

describe('a send step with several messages', () => {
  it('sends each message at its offset from the step start, then moves on', () => {
    let t = begin();
    expectSend(t.command, 'email', '0');
    t = advance(onboarding, t.state, sent(T0 + 1_000));
    expect(t.command).toMatchObject({ kind: 'wait', stepId: 'hello', until: T0 + HOUR });
    t = advance(onboarding, t.state, { kind: 'timer', now: T0 + HOUR });
    expectSend(t.command, 'push', '1');
    expect(t.command).toMatchObject({ content: push });
    t = advance(onboarding, t.state, sent(T0 + HOUR));
    expect(t.command).toMatchObject({
      kind: 'send',
      stepId: 'nudge',
      channel: 'sms',
      messageKey: '0',
    });
  });

  it('uses the fallback when the channel cannot reach the customer, and records why', () => {
    let t = begin();
    t = advance(onboarding, t.state, sent(T0));
    t = advance(onboarding, t.state, { kind: 'timer', now: T0 + HOUR });
    t = advance(onboarding, t.state, sent(T0 + HOUR));
    t = advance(onboarding, t.state, sent(T0 + HOUR, { status: 'skipped', reason: 'no_consent' }));
    expectSend(t.command, 'email', '0-fallback');
    expect(t.state.trace.map((d) => d.kind)).toContain('send_fallback');
    t = advance(onboarding, t.state, sent(T0 + HOUR));
    expect(t.command).toEqual({ kind: 'finish', status: 'completed', reason: 'completed' });
  });

  it('uses the fallback after a permanent provider failure, but not after a render error', () => {
    const toNudge = () => {
      let t = begin();
      t = advance(onboarding, t.state, sent(T0));
      t = advance(onboarding, t.state, { kind: 'timer', now: T0 + HOUR });
      return advance(onboarding, t.state, sent(T0 + HOUR));
    };
    const rejected = advance(
      onboarding,
      toNudge().state,
      sent(T0 + HOUR, { status: 'failed', reason: 'provider_rejected:twilio_21211' }),
    );
    expectSend(rejected.command, 'email', '0-fallback');
    const broken = advance(
      onboarding,
      toNudge().state,
      sent(T0 + HOUR, { status: 'failed', reason: 'render_error' }),
    );
    expect(broken.command).toMatchObject({ kind: 'finish', reason: 'completed' });
  });

  it('uses the fallback when the channel is not configured in this deployment', () => {
    let t = begin();
    t = advance(onboarding, t.state, sent(T0));
    t = advance(onboarding, t.state, { kind: 'timer', now: T0 + HOUR });
    t = advance(onboarding, t.state, sent(T0 + HOUR));
    t = advance(
      onboarding,
      t.state,
      sent(T0 + HOUR, { status: 'skipped', reason: 'channel_not_configured' }),
    );
    expectSend(t.command, 'email', '0-fallback');
  });

  it('does not try a fallback of a fallback', () => {
    let t = begin();
    t = advance(onboarding, t.state, sent(T0));
    t = advance(onboarding, t.state, { kind: 'timer', now: T0 + HOUR });
    t = advance(onboarding, t.state, sent(T0 + HOUR));
    t = advance(onboarding, t.state, sent(T0 + HOUR, { status: 'skipped', reason: 'no_phone' }));
    t = advance(onboarding, t.state, sent(T0 + HOUR, { status: 'skipped', reason: 'no_email' }));
    expect(t.command).toMatchObject({ kind: 'finish', reason: 'completed' });
  });
});

describe('send step validation', () => {
  const reject = (steps: unknown[]) => {
    try {
      parseJourneyDefinition({ id: 'bad', name: 'Bad', entry: 'a', steps });
    } catch (error) {
      if (error instanceof JourneyValidationError) return error.issues;
      throw error;
    }
    throw new Error('accepted');
  };

  it('names the field when shorthand content does not fit its channel', () => {
    const issues = reject([{ id: 'a', type: 'send', channel: 'sms', content: { body: 'hi' } }]);
    expect(issues).toContainEqual(expect.objectContaining({ path: 'steps.0.content.text' }));
  });

  it('refuses a step with both forms, or neither', () => {
    const both = reject([
      {
        id: 'a',
        type: 'send',
        channel: 'email',
        content: welcome,
        messages: [{ channel: 'email', content: welcome }],
      },
    ]);
    expect(both[0]?.message).toMatch(/either "channel" with "content", or "messages"/);
    const neither = reject([{ id: 'a', type: 'send' }]);
    expect(neither[0]?.path).toBe('steps.0');
  });

  it('refuses offsets that go backwards', () => {
    const issues = reject([
      {
        id: 'a',
        type: 'send',
        messages: [
          { channel: 'email', content: welcome, offset: '2h' },
          { channel: 'push', content: push, offset: '1h' },
        ],
      },
    ]);
    expect(issues).toContainEqual({
      path: 'steps.0.messages.1.offset',
      message: 'offsets must not decrease from one message to the next',
    });
  });

  it('names the missing field of a message in the messages form', () => {
    const issues = reject([
      { id: 'a', type: 'send', messages: [{ channel: 'push', content: { body: 'x' } }] },
    ]);
    expect(issues.map((issue) => issue.path)).toContain('steps.0.messages.0.content.title');
  });
});
