import { eq } from 'drizzle-orm';
import { journeys, journeyVersions } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { stateQuery, type JourneyRunView } from '../../src/workflows/messages';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * segments.<id> in journeys, through the whole of Cairn (API, router, worker on the dev server):
 * a branch decides on membership as it is when the branch runs, an audience refuses a
 * non-member at entry, a waitForEvent's where reads membership when its event arrives, and a
 * journey naming a segment that does not exist is refused with nothing stored.
 */

const vip = { field: 'segments.vip', op: 'eq', value: true } as const;
const pause = (id: string) => ({ id, type: 'wait', for: '1d' }) as const;

const JOURNEYS: JourneyDefinitionInput[] = [
  {
    id: 'vip-branch',
    name: 'VIP branch',
    trigger: { event: 'probe_branch' },
    entry: 'hold',
    steps: [
      { id: 'hold', type: 'waitForEvent', event: 'go', timeout: '1d', onEvent: 'decide' },
      { id: 'decide', type: 'branch', when: { conditions: [vip] }, then: 'vip', else: 'regular' },
      pause('vip'),
      pause('regular'),
    ],
  },
  {
    id: 'vip-only',
    name: 'VIP only',
    trigger: { event: 'probe_audience' },
    audience: { conditions: [vip] },
    entry: 'inside',
    steps: [pause('inside')],
  },
  {
    id: 'vip-purchase',
    name: 'VIP purchase',
    trigger: { event: 'probe_wait' },
    entry: 'wait_purchase',
    steps: [
      {
        id: 'wait_purchase',
        type: 'waitForEvent',
        event: 'purchase',
        timeout: '1d',
        where: { conditions: [vip] },
        onEvent: 'thanks',
      },
      pause('thanks'),
    ],
  },
];

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
  const segment = await stack.request('POST', '/v1/segments', {
    id: 'vip',
    name: 'VIP',
    kind: 'manual',
  });
  expect(segment.status).toBe(201);
  for (const definition of JOURNEYS) {
    expect((await stack.request('POST', '/v1/journeys', definition)).status).toBe(201);
  }
  for (const id of ['ada', 'bo', 'cy', 'dee']) {
    expect((await stack.request('PUT', `/v1/customers/${id}`, {})).status).toBe(201);
  }
  await setVip({ add: ['ada', 'dee'] });
});
afterAll(async () => stack?.close());

async function setVip(change: { add?: string[]; remove?: string[] }): Promise<void> {
  const res = await stack.request('POST', '/v1/segments/vip/members', change);
  expect(res.status).toBe(200);
}

let sent = 0;
async function send(customerId: string, type: string): Promise<void> {
  sent += 1;
  const id = `${type}-${customerId}-${sent}`;
  expect((await stack.request('POST', '/v1/events', { id, customerId, type })).status).toBe(202);
  await stack.awaitRouted(id);
}

/** The run's state once `ready` says it has got where the test waits for. */
async function runState(
  journeyId: string,
  customerId: string,
  ready: (state: JourneyRunView) => boolean,
): Promise<JourneyRunView> {
  const handle = stack.temporal.workflow.getHandle(journeyWorkflowId(journeyId, customerId));
  return eventually(async () => {
    const state = await handle.query(stateQuery).catch(() => null);
    return state && ready(state) ? state : null;
  });
}

const parkedAt = (stepId: string) => (state: JourneyRunView) =>
  state.currentStepId === stepId && state.waiting !== null;

describe('segments.<id> in a real run', () => {
  it('a branch decides on membership as it is when the branch runs', async () => {
    await send('bo', 'probe_branch');
    await send('cy', 'probe_branch');
    await runState('vip-branch', 'bo', parkedAt('hold'));
    await runState('vip-branch', 'cy', parkedAt('hold'));
    // bo joins after the run entered: the branch must see it, not the entry's profile.
    await setVip({ add: ['bo'] });
    await send('bo', 'go');
    await send('cy', 'go');
    const bo = await runState('vip-branch', 'bo', parkedAt('vip'));
    const branch = bo.trace.find((d) => d.kind === 'branch');
    expect(branch?.detail?.outcomes).toEqual([
      {
        field: 'segments.vip',
        op: 'eq',
        expected: true,
        actual: true,
        missing: false,
        passed: true,
      },
    ]);
    await runState('vip-branch', 'cy', parkedAt('regular'));
  });

  it('an audience requiring membership refuses a non-member at entry', async () => {
    await send('cy', 'probe_audience');
    await send('ada', 'probe_audience');
    const refused = await runState('vip-only', 'cy', (s) => s.status !== 'running');
    expect(refused).toMatchObject({ status: 'exited', finishReason: 'audience_mismatch' });
    expect(refused.currentStepId).toBeNull();
    await runState('vip-only', 'ada', parkedAt('inside'));
  });

  it('a waitForEvent where reads membership when the event arrives', async () => {
    await send('dee', 'probe_wait');
    await runState('vip-purchase', 'dee', parkedAt('wait_purchase'));
    await setVip({ remove: ['dee'] });
    await send('dee', 'purchase');
    // Entered as a member, left before the purchase: the purchase is ignored, the wait goes on.
    const ignored = await runState(
      'vip-purchase',
      'dee',
      (s) => parkedAt('wait_purchase')(s) && s.trace.some((d) => d.kind === 'event_ignored'),
    );
    expect(ignored.status).toBe('running');
    await setVip({ add: ['dee'] });
    await send('dee', 'purchase');
    await runState('vip-purchase', 'dee', parkedAt('thanks'));
  });
});

describe('publishing a journey that reads segments', () => {
  it('refuses a segment that does not exist, naming the path, and stores nothing', async () => {
    const res = await stack.request<{ error: { code: string; issues: unknown[] } }>(
      'POST',
      '/v1/journeys',
      {
        id: 'ghost-segment',
        name: 'Ghost',
        trigger: { event: 'signup', when: { conditions: [vip] } },
        entry: 'decide',
        steps: [
          {
            id: 'decide',
            type: 'branch',
            when: { conditions: [vip, { field: 'segments.ghost', op: 'eq', value: false }] },
            then: 'done',
          },
          { id: 'done', type: 'exit' },
        ],
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.issues).toEqual([
      {
        path: 'steps.0.when.conditions.1.field',
        message: 'reads segment "ghost", which does not exist',
      },
    ]);
    const db = stack.database.db;
    expect(await db.select().from(journeys).where(eq(journeys.id, 'ghost-segment'))).toEqual([]);
    expect(
      await db.select().from(journeyVersions).where(eq(journeyVersions.journeyId, 'ghost-segment')),
    ).toEqual([]);
  });
});
