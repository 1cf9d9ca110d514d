import { and, eq } from 'drizzle-orm';
import { journeyRuns } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { stateQuery } from '../../src/workflows/messages';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * The same agreement as profile-consistency.test.ts, through the whole of Cairn: a worker runs
 * the journey workflow, whose first loadProfile and entry check decide whether the run enters.
 * A run routing starts enters (never exits at once with trigger_mismatch); a condition on the
 * address itself starts nothing.
 */

const journeyWhen = (
  id: string,
  trigger: string,
  condition: Record<string, unknown>,
): JourneyDefinitionInput =>
  ({
    id,
    name: id,
    trigger: { event: trigger, when: { conditions: [condition] } },
    reEntry: { mode: 'after_exit' },
    entry: 'pause',
    steps: [{ id: 'pause', type: 'wait', for: '1d' }],
  }) as JourneyDefinitionInput;

const JOURNEYS = [
  journeyWhen('has-email', 'probe_has_email', {
    field: 'profile.hasEmail',
    op: 'eq',
    value: true,
  }),
  journeyWhen('engaged', 'probe_engaged', {
    field: 'profile.last_engaged_at',
    op: 'within',
    value: '30d',
  }),
  journeyWhen('email-address', 'probe_email', { field: 'profile.email', op: 'exists' }),
  journeyWhen('phone-number', 'probe_phone', { field: 'profile.phone', op: 'exists' }),
];

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
  for (const definition of JOURNEYS) {
    expect((await stack.request('POST', '/v1/journeys', definition)).status).toBe(201);
  }
  const ada = await stack.request('PUT', '/v1/customers/ada', {
    email: 'ada@example.com',
    phone: '+14155550100',
  });
  expect(ada.status).toBe(201);
  expect((await stack.request('PUT', '/v1/customers/bare', {})).status).toBe(201);
  const opened = await stack.request('POST', '/v1/events', {
    id: 'ada-opened',
    customerId: 'ada',
    type: 'email_opened',
  });
  expect(opened.status).toBe(202);
  await stack.awaitRouted('ada-opened');
});
afterAll(async () => stack?.close());

async function trigger(customerId: string, type: string): Promise<void> {
  const res = await stack.request('POST', '/v1/events', {
    id: `${type}-${customerId}`,
    customerId,
    type,
  });
  expect(res.status).toBe(202);
  await stack.awaitRouted(`${type}-${customerId}`);
}

async function runRows(journeyId: string, customerId: string) {
  return stack.database.db
    .select()
    .from(journeyRuns)
    .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.customerId, customerId)));
}

/** The run's own view once it has loaded its profile and decided whether to enter. */
async function enteredState(journeyId: string, customerId: string) {
  const handle = stack.temporal.workflow.getHandle(journeyWorkflowId(journeyId, customerId));
  return eventually(async () => {
    const state = await handle.query(stateQuery);
    return state.currentStepId !== null || state.status !== 'running' ? state : null;
  });
}

describe('a run routing starts passes its own entry check', () => {
  it.each([
    ['has-email', 'probe_has_email'],
    ['engaged', 'probe_engaged'],
  ])('%s: the started run enters its first step', async (journeyId, type) => {
    await trigger('ada', type);
    expect(await runRows(journeyId, 'ada')).toHaveLength(1);
    const state = await enteredState(journeyId, 'ada');
    expect(state).toMatchObject({ status: 'running', currentStepId: 'pause' });
    const check = state.trace.find((d) => d.kind === 'condition');
    expect(check?.summary).toMatch(/^trigger matched/);
  });

  it.each([
    ['has-email', 'probe_has_email', 'bare'],
    ['engaged', 'probe_engaged', 'bare'],
    ['email-address', 'probe_email', 'ada'],
    ['phone-number', 'probe_phone', 'ada'],
  ])(
    '%s (%s): no run for the customer %s, whose profile fails the condition',
    async (journeyId, type, customerId) => {
      await trigger(customerId, type);
      expect(await runRows(journeyId, customerId)).toEqual([]);
    },
  );
});
