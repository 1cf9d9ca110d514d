/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { and, eq } from 'drizzle-orm';
import { createProfileActivities } from '../../src/activities/profiles';
import { findVersion } from '../../src/catalogue';
import { events, journeyRuns } from '../../src/db/schema';
import { advance, startRun } from '../../src/journeys/interpreter';
import type { Condition, JourneyDefinitionInput } from '../../src/journeys/schema';
import { toJourneyEvent } from '../../src/routing/journey-event';
import { auth, awaitRouted, createHarness, publishJourney, type Harness } from '../api/harness';

/**
 * A trigger condition must get the same answer when routing decides to start a run, when an
 * explicit start checks it, and when the run itself checks it again at entry on the profile its
 * first loadProfile returns. Conditions see hasEmail/hasPhone, never the addresses: a condition on
 * profile.email is always "missing", so it starts nothing (rather than a run that exits at once).
 */

const CUSTOMERS = {
  // Has both addresses and opened an email a day ago.
  reachable: { email: 'ada@example.com', phone: '+14155550100', attributes: { plan: 'pro' } },
  // Neither address, never engaged.
  bare: { attributes: { plan: 'free' } },
} as const;
type CustomerId = keyof typeof CUSTOMERS;

const CASES: { name: string; condition: Condition; passes: Record<CustomerId, boolean> }[] = [
  {
    name: 'has-email',
    condition: { field: 'profile.hasEmail', op: 'eq', value: true },
    passes: { reachable: true, bare: false },
  },
  {
    name: 'has-phone',
    condition: { field: 'profile.hasPhone', op: 'eq', value: true },
    passes: { reachable: true, bare: false },
  },
  {
    name: 'email',
    condition: { field: 'profile.email', op: 'exists', value: true },
    passes: { reachable: false, bare: false },
  },
  {
    name: 'no-email',
    condition: { field: 'profile.email', op: 'exists', value: false },
    passes: { reachable: true, bare: true },
  },
  {
    name: 'phone',
    condition: { field: 'profile.phone', op: 'eq', value: '+14155550100' },
    passes: { reachable: false, bare: false },
  },
  {
    name: 'engaged',
    condition: { field: 'profile.last_engaged_at', op: 'exists', value: true },
    passes: { reachable: true, bare: false },
  },
  {
    name: 'engaged-lately',
    condition: { field: 'profile.last_engaged_at', op: 'within', value: '30d' },
    passes: { reachable: true, bare: false },
  },
];

/** Journey ids are kebab-case; event types are snake_case. */
function eventType(prefix: string, name: string): string {
  return `${prefix}_${name.replaceAll('-', '_')}`;
}

function journeyFor(id: string, trigger: string, condition: Condition): JourneyDefinitionInput {
  return {
    id,
    name: `Condition ${id}`,
    trigger: { event: trigger, when: { conditions: [condition] } },
    reEntry: { mode: 'after_exit' },
    entry: 'pause',
    steps: [{ id: 'pause', type: 'wait', for: '1d' }],
  };
}

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live', router: true });
  for (const [id, profile] of Object.entries(CUSTOMERS)) {
    const res = await h.inject({
      method: 'PUT',
      url: `/v1/customers/${id}`,
      headers: auth,
      payload: profile,
    });
    expect(res.statusCode).toBe(201);
  }
  const opened = await h.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: {
      id: 'open-1',
      customerId: 'reachable',
      type: 'email_opened',
      occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
    },
  });
  expect(opened.statusCode).toBe(202);
  for (const { name, condition } of CASES) {
    for (const [id, trigger] of [
      [`routed-${name}`, eventType('routed', name)],
      [`explicit-${name}`, eventType('explicit', name)],
    ] as const) {
      await publishJourney(h, journeyFor(id, trigger, condition));
    }
  }
});
afterAll(async () => h.close());

/** Routing's answer: did the trigger event start a run? */
async function routingStarts(name: string, customerId: CustomerId): Promise<boolean> {
  const res = await h.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: { id: `${name}-${customerId}`, customerId, type: eventType('routed', name) },
  });
  expect(res.statusCode).toBe(202);
  const state = await awaitRouted(h, `${name}-${customerId}`);
  const runs = await h.db.db
    .select()
    .from(journeyRuns)
    .where(
      and(eq(journeyRuns.journeyId, `routed-${name}`), eq(journeyRuns.customerId, customerId)),
    );
  expect(state.runsStarted).toEqual(runs.map((run) => run.workflowId));
  return runs.length > 0;
}

/** An explicit start's answer: 201 started, or 422 naming the unmet condition. */
async function explicitStarts(name: string, customerId: CustomerId): Promise<boolean> {
  const res = await h.inject({
    method: 'POST',
    url: `/v1/journeys/explicit-${name}/runs`,
    headers: auth,
    payload: { customerId },
  });
  if (res.statusCode === 422) {
    expect(res.json().error.code).toBe('trigger_conditions_not_met');
    return false;
  }
  expect(res.statusCode).toBe(201);
  return true;
}

/**
 * The run's answer: its first loadProfile (the real activity, on the same database) fed to the
 * interpreter's entry check with the stored trigger event and the stored definition, as the
 * workflow does.
 */
async function runEntryPasses(name: string, customerId: CustomerId): Promise<boolean> {
  const version = await findVersion(h.db.db, `routed-${name}`, 1);
  const [row] = await h.db.db
    .select()
    .from(events)
    .where(eq(events.id, `${name}-${customerId}`));
  if (!version || !row) throw new Error('journey version or trigger event missing');
  const definition = version.definition;
  const trigger = toJourneyEvent(row);
  const now = Date.now();
  const started = startRun(
    { definition, journeyVersion: 1, customerId, trigger, defaultTimeZone: 'UTC' },
    now,
  );
  expect(started.command).toEqual({ kind: 'load_profile' });
  const profile = await createProfileActivities(h.db.db).loadProfile(customerId);
  const entered = advance(definition, started.state, { kind: 'profile', now, profile });
  if (entered.command.kind === 'finish') {
    expect(entered.command).toMatchObject({ status: 'exited', reason: 'trigger_mismatch' });
    return false;
  }
  expect(entered.command).toMatchObject({ kind: 'wait', stepId: 'pause' });
  return true;
}

describe('trigger conditions: routing, explicit start and run entry agree', () => {
  for (const { name, condition, passes } of CASES) {
    for (const customerId of Object.keys(CUSTOMERS) as CustomerId[]) {
      const expected = passes[customerId];
      const rule = `${condition.field} ${condition.op} ${JSON.stringify(condition.value)}`;
      it(`${rule} for the ${customerId} customer: ${expected ? 'starts' : 'does not start'}`, async () => {
        const answers = {
          routing: await routingStarts(name, customerId),
          explicit: await explicitStarts(name, customerId),
          runEntry: await runEntryPasses(name, customerId),
        };
        expect(answers).toEqual({ routing: expected, explicit: expected, runEntry: expected });
      });
    }
  }

  it('keeps contact data out of the snapshot a run records in its history', async () => {
    const profile = await createProfileActivities(h.db.db).loadProfile('reachable');
    expect(profile).toMatchObject({ hasEmail: true, hasPhone: true, plan: 'pro' });
    expect(profile).not.toHaveProperty('email');
    expect(profile).not.toHaveProperty('phone');
    expect(JSON.stringify(profile)).not.toMatch(/ada@example\.com|4155550100/);
    expect(typeof profile.last_engaged_at).toBe('string');
  });
});
