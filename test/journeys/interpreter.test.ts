import { startRun } from '../../src/journeys/interpreter';
import type { RunState } from '../../src/journeys/run-types';
import { MAX_TRACE } from '../../src/journeys/trace';
import { DAY, HOUR, T0, event, profile } from './helpers';
import { begin, define, defineUnchecked, feed } from './run-helpers';

const email = { subject: 'Hi', html: '<p>Hi</p>' };

const keyedWait = define(
  [
    {
      id: 'await_checkout',
      type: 'waitForEvent',
      event: 'checkout_started',
      match: { key: 'cart_id', equals: 'context.cart_id' },
      where: { conditions: [{ field: 'event.properties.total', op: 'gte', value: 10 }] },
      timeout: '1d',
      onEvent: 'thanks',
      onTimeout: 'nudge',
    },
    { id: 'thanks', type: 'send', channel: 'email', content: email },
    { id: 'nudge', type: 'send', channel: 'email', content: email },
  ],
  { reEntry: { mode: 'keyed', key: 'cart_id' } },
);

describe('startRun', () => {
  it('records entry and asks for a fresh profile first', () => {
    const t = startRun(
      {
        definition: keyedWait,
        journeyVersion: 3,
        customerId: 'cust-1',
        key: 'c1',
        defaultTimeZone: 'UTC',
      },
      T0,
    );
    expect(t.command).toEqual({ kind: 'load_profile' });
    expect(t.state).toMatchObject({
      journeyId: 'test-journey',
      journeyVersion: 3,
      status: 'running',
      key: 'c1',
      enteredAt: T0,
      context: { cart_id: 'c1' },
      currentStepId: null,
    });
    expect(t.state.trace).toEqual([
      expect.objectContaining({
        kind: 'entered',
        at: T0,
        summary: 'entered journey test-journey v3',
      }),
    ]);
  });

  it('exits with audience_mismatch when the audience does not match, and traces the conditions', () => {
    const definition = define([{ id: 'hello', type: 'send', channel: 'email', content: email }], {
      audience: { conditions: [{ field: 'profile.country', op: 'eq', value: 'DE' }] },
    });
    const t = begin(definition, { fields: { country: 'FR' } });
    expect(t.command).toEqual({ kind: 'finish', status: 'exited', reason: 'audience_mismatch' });
    expect(t.state.trace.find((d) => d.kind === 'condition')?.detail).toEqual({
      passed: false,
      outcomes: [
        {
          field: 'profile.country',
          op: 'eq',
          expected: 'DE',
          actual: 'FR',
          missing: false,
          passed: false,
        },
      ],
    });
  });
});

describe('waitForEvent with a key match', () => {
  const start = () => begin(keyedWait, { key: 'c1' });

  it('waits for the event until the timeout', () => {
    expect(start().command).toEqual({
      kind: 'wait',
      stepId: 'await_checkout',
      until: T0 + DAY,
      events: ['checkout_started'],
    });
  });

  it('ignores an event for another cart and re-issues the same wait', () => {
    const t = start();
    const next = feed(keyedWait, t, {
      kind: 'event',
      now: T0 + HOUR,
      event: event('checkout_started', { cart_id: 'c2', total: 50 }),
    });
    expect(next.command).toBe(t.command);
    expect(next.state.trace.pop()).toMatchObject({
      kind: 'event_ignored',
      summary:
        'checkout_started event ignored by await_checkout: cart_id does not equal context.cart_id',
    });
  });

  it('ignores a matching cart whose event fails `where`', () => {
    const t = start();
    const next = feed(keyedWait, t, {
      kind: 'event',
      now: T0 + HOUR,
      event: event('checkout_started', { cart_id: 'c1', total: 5 }),
    });
    expect(next.command).toBe(t.command);
  });

  it('takes onEvent for the matching cart and keeps the event in context.last_event', () => {
    const e = event('checkout_started', { cart_id: 'c1', total: 50 });
    const next = feed(keyedWait, start(), { kind: 'event', now: T0 + HOUR, event: e });
    expect(next.command).toMatchObject({ kind: 'send', stepId: 'thanks', visit: 1 });
    expect(next.state.context.last_event).toEqual({
      id: e.id,
      type: e.type,
      occurredAt: e.occurredAt,
      properties: e.properties,
    });
    expect(next.state.trace.map((d) => d.kind)).toContain('event_matched');
  });

  it('takes onTimeout at the deadline; an early timer keeps waiting', () => {
    const t = start();
    const early = feed(keyedWait, t, { kind: 'timer', now: T0 + HOUR });
    expect(early.command).toBe(t.command);
    const late = feed(keyedWait, early, { kind: 'timer', now: T0 + DAY });
    expect(late.command).toMatchObject({ kind: 'send', stepId: 'nudge' });
    expect(late.state.trace.map((d) => d.kind)).toContain('timeout');
  });

  it('treats an event arriving after the deadline as too late', () => {
    const next = feed(keyedWait, start(), {
      kind: 'event',
      now: T0 + DAY + 1,
      event: event('checkout_started', { cart_id: 'c1', total: 50 }),
    });
    expect(next.command).toMatchObject({ kind: 'send', stepId: 'nudge' });
  });

  it('completes when the target is missing', () => {
    const definition = define([{ id: 'await', type: 'waitForEvent', event: 'x', timeout: '1h' }]);
    const next = feed(definition, begin(definition), { kind: 'timer', now: T0 + HOUR });
    expect(next.command).toEqual({ kind: 'finish', status: 'completed', reason: 'completed' });
  });
});

describe('steps', () => {
  it('branches on a fresh profile and traces every outcome', () => {
    const definition = define([
      {
        id: 'check',
        type: 'branch',
        when: {
          match: 'any',
          conditions: [
            { field: 'profile.plan', op: 'eq', value: 'pro' },
            { field: 'profile.email', op: 'exists' },
          ],
        },
        then: 'pro',
        else: 'free',
      },
      { id: 'pro', type: 'exit', reason: 'pro customer' },
      { id: 'free', type: 'send', channel: 'email', content: email },
    ]);
    const t = begin(definition);
    expect(t.command).toEqual({ kind: 'load_profile' });
    const next = feed(definition, t, {
      kind: 'profile',
      now: T0,
      profile: profile({ plan: 'pro', email: 'ada@example.com' }),
    });
    expect(next.command).toEqual({ kind: 'finish', status: 'exited', reason: 'exit_step' });
    const branch = next.state.trace.find((d) => d.kind === 'branch');
    expect(branch?.summary).toBe('check: 2 of 2 conditions passed (match any) → then (pro)');
    expect(JSON.stringify(next.state.trace)).not.toContain('ada@example.com');
  });

  it('resolves updateProfile values and leaves out missing sources (fail closed)', () => {
    const definition = define(
      [
        {
          id: 'mark',
          type: 'updateProfile',
          set: {
            done: true,
            cleared: null,
            cart: { from: 'context.cart_id' },
            ghost: { from: 'trigger.properties.nope' },
          },
        },
      ],
      { reEntry: { mode: 'keyed', key: 'cart_id' } },
    );
    const t = begin(definition, { key: 'c9', trigger: event('start', { cart_id: 'c9' }) });
    expect(t.command).toEqual({
      kind: 'update_profile',
      stepId: 'mark',
      visit: 1,
      set: { done: true, cleared: null, cart: 'c9' },
    });
    expect(
      t.state.trace.some((d) => d.summary.includes('ghost (from trigger.properties.nope)')),
    ).toBe(true);
    const done = feed(definition, t, {
      kind: 'profile_updated',
      now: T0,
      profile: profile({ done: true }),
    });
    expect(done.command).toEqual({ kind: 'finish', status: 'completed', reason: 'completed' });
  });

  it('records send results and moves on', () => {
    const definition = define([
      {
        id: 'hello',
        type: 'send',
        channel: 'email',
        kind: 'transactional',
        content: email,
        next: 'bye',
      },
      { id: 'bye', type: 'exit' },
    ]);
    const t = begin(definition);
    expect(t.command).toMatchObject({
      kind: 'send',
      messageKind: 'transactional',
      variables: { trigger: {}, context: {} },
    });
    const next = feed(definition, t, {
      kind: 'send_result',
      now: T0,
      outcome: { status: 'skipped', deliveryId: 'd1', reason: 'no_consent' },
    });
    expect(next.state.trace.find((d) => d.kind === 'send_result')?.summary).toBe(
      'email hello: skipped (no_consent)',
    );
    expect(next.command).toMatchObject({ kind: 'finish', reason: 'exit_step' });
  });

  it('waits until a local time in the profile zone, falling back to the default zone', () => {
    const definition = define([{ id: 'morning', type: 'wait', untilLocalTime: '09:00' }]);
    const berlin = begin(definition, { fields: { timeZone: 'Europe/Berlin' } });
    expect(berlin.command).toMatchObject({ until: Date.parse('2026-01-06T08:00:00Z') });
    const fallback = begin(definition, { fields: { timeZone: 'Not/AZone' } });
    expect(fallback.command).toMatchObject({ until: Date.parse('2026-01-06T09:00:00Z') });
  });

  it('continues at once when an untilSinceEntry moment has already passed', () => {
    const definition = define([
      { id: 'hello', type: 'send', channel: 'email', content: email, next: 'later' },
      { id: 'later', type: 'wait', untilSinceEntry: '1h', next: 'bye' },
      { id: 'bye', type: 'send', channel: 'email', content: email },
    ]);
    const t = feed(definition, begin(definition), {
      kind: 'send_result',
      now: T0 + 2 * HOUR,
      outcome: { status: 'sent', deliveryId: 'd' },
    });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'bye' });
  });

  it('counts visits per step so each send visit has its own ledger key', () => {
    const definition = define([
      { id: 'hello', type: 'send', channel: 'email', content: email, next: 'pause' },
      { id: 'pause', type: 'wait', for: '1h', next: 'hello' },
    ]);
    let t = begin(definition);
    t = feed(definition, t, {
      kind: 'send_result',
      now: T0,
      outcome: { status: 'sent', deliveryId: 'd1' },
    });
    t = feed(definition, t, { kind: 'timer', now: T0 + HOUR });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'hello', visit: 2 });
  });

  it('fails a zero-time loop within one decision', () => {
    const definition = defineUnchecked([
      { id: 'ping', type: 'updateProfile', set: {}, next: 'pong' },
      { id: 'pong', type: 'updateProfile', set: {}, next: 'ping' },
    ]);
    const t = begin(definition);
    expect(t.command).toEqual({ kind: 'finish', status: 'failed', reason: 'step_limit' });
    expect(t.state.trace.pop()?.detail?.message).toContain('loops without waiting');
  });

  it('fails a branch cycle without waits across decisions', () => {
    const always = {
      conditions: [{ field: 'profile.id' as const, op: 'exists' as const, value: true }],
    };
    const definition = defineUnchecked([
      { id: 'left', type: 'branch', when: always, then: 'right' },
      { id: 'right', type: 'branch', when: always, then: 'left' },
    ]);
    let t = begin(definition);
    let decisions = 0;
    while (t.command.kind === 'load_profile' && decisions < 5000) {
      t = feed(definition, t, { kind: 'profile', now: T0, profile: profile() });
      decisions += 1;
    }
    expect(t.command).toEqual({ kind: 'finish', status: 'failed', reason: 'step_limit' });
    expect(decisions).toBeLessThanOrEqual(1000);
  });

  it('resets the loop guard whenever the run waits', () => {
    const definition = define([
      { id: 'hello', type: 'send', channel: 'email', content: email, next: 'pause' },
      { id: 'pause', type: 'wait', for: '1m', next: 'hello' },
    ]);
    let t = begin(definition);
    for (let i = 0; i < 1500; i += 1) {
      t = feed(definition, t, {
        kind: 'send_result',
        now: T0 + i * 60_000,
        outcome: { status: 'sent', deliveryId: `d${i}` },
      });
      t = feed(definition, t, { kind: 'timer', now: T0 + (i + 1) * 60_000 });
    }
    expect(t.command).toMatchObject({ kind: 'send', visit: 1501 });
  });
});

describe('purity and bounds', () => {
  it('never mutates the state it is given', () => {
    const definition = keyedWait;
    const t = begin(definition, { key: 'c1' });
    const snapshot: RunState = JSON.parse(JSON.stringify(t.state)) as RunState;
    feed(definition, t, {
      kind: 'event',
      now: T0 + HOUR,
      event: event('checkout_started', { cart_id: 'c1', total: 50 }),
    });
    feed(definition, t, { kind: 'timer', now: T0 + DAY });
    expect(t.state).toEqual(snapshot);
  });

  it(`keeps only the last ${MAX_TRACE} decisions`, () => {
    const definition = define([{ id: 'pause', type: 'wait', for: '1d' }]);
    let t = begin(definition);
    const before = t.state.trace.length;
    for (let i = 0; i < 700; i += 1)
      t = feed(definition, t, { kind: 'event', now: T0 + i, event: event('noise') });
    expect(t.state.trace).toHaveLength(MAX_TRACE);
    expect(t.state.traceDropped).toBe(before + 700 - MAX_TRACE);
    expect(t.state.trace[t.state.trace.length - 1]?.at).toBe(T0 + 699);
  });

  it('traces a profile it did not ask for while waiting, and changes nothing else', () => {
    const definition = define([{ id: 'pause', type: 'wait', for: '1d' }]);
    const t = begin(definition);
    const next = feed(definition, t, {
      kind: 'profile',
      now: T0 + HOUR,
      profile: profile({ plan: 'pro' }),
    });
    expect(next.command).toBe(t.command);
    expect(next.state.profile).toEqual(t.state.profile);
    expect(next.state.trace.at(-1)).toMatchObject({
      kind: 'input_unexpected',
      stepId: 'pause',
      detail: { input: 'profile', pending: 'wait' },
    });
    expect({ ...next.state, trace: t.state.trace }).toEqual(t.state);
  });
});

describe('trigger conditions re-checked at entry', () => {
  const vipWelcome = define([{ id: 'hello', type: 'send', channel: 'email', content: email }], {
    trigger: {
      event: 'user_signup',
      when: {
        conditions: [
          { field: 'profile.tier', op: 'eq', value: 'vip' },
          { field: 'trigger.properties.source', op: 'eq', value: 'web' },
        ],
      },
    },
  });

  it('read the fresh profile as well as the trigger', () => {
    const t = begin(vipWelcome, {
      trigger: event('user_signup', { source: 'web' }),
      fields: { tier: 'vip' },
    });
    expect(t.command).toMatchObject({ kind: 'send', stepId: 'hello' });
  });

  it('exit with trigger_mismatch and the values seen when the profile no longer matches', () => {
    const t = begin(vipWelcome, {
      trigger: event('user_signup', { source: 'web' }),
      fields: { tier: 'basic' },
    });
    expect(t.command).toEqual({ kind: 'finish', status: 'exited', reason: 'trigger_mismatch' });
    const check = t.state.trace.find((d) => d.kind === 'condition');
    expect(JSON.stringify(check?.detail)).toContain('basic');
  });
});
