import { eq } from 'drizzle-orm';
import { journeyRuns } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { startExplicitRun } from '../../src/routing/explicit-start';
import { createRouterFixture, type RouterFixture } from './router-fixture';

const onboarding: JourneyDefinitionInput = {
  id: 'onboarding',
  name: 'Onboarding',
  trigger: { event: 'signed_up' },
  reEntry: { mode: 'once' },
  entry: 'pause',
  steps: [{ id: 'pause', type: 'wait', for: '1d' }],
};

// A bulk start calls startExplicitRun concurrently: one registry read per start must not let
// two starts for one customer both launch, nor one customer's start disturb another's.
describe('explicit starts run concurrently', () => {
  let f: RouterFixture;
  beforeAll(async () => {
    f = await createRouterFixture();
    await f.publish(onboarding);
  });
  afterAll(async () => f?.close());

  it('starts each customer once, however many starts race for the same one', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `s${i}`);
    await f.addCustomers(ids);
    const deps = f.routerOptions();
    // Three starts for each customer, all at once.
    const outcomes = await Promise.all(
      [...ids, ...ids, ...ids].map((customerId) =>
        startExplicitRun(deps, { journeyId: 'onboarding', customerId }),
      ),
    );
    const byCustomer = new Map<string, string[]>();
    outcomes.forEach((outcome, i) => {
      const customerId = ids[i % ids.length] as string;
      byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), outcome.kind].sort());
    });
    for (const customerId of ids)
      expect(byCustomer.get(customerId)).toEqual(['already_running', 'already_running', 'started']);
    expect(f.calls.starts).toBe(ids.length);
    const runs = await f.db.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.journeyId, 'onboarding'));
    expect(runs.map((r) => r.customerId).sort()).toEqual([...ids].sort());
    expect(runs.every((r) => r.status === 'running' && r.temporalRunId !== null)).toBe(true);

    // Once: a later start is refused by the re-entry policy, read in the same single statement.
    await f.db.db
      .update(journeyRuns)
      .set({ status: 'completed' })
      .where(eq(journeyRuns.customerId, 's0'));
    expect(await startExplicitRun(deps, { journeyId: 'onboarding', customerId: 's0' })).toEqual({
      kind: 'blocked',
      workflowId: runs.find((r) => r.customerId === 's0')?.workflowId,
      rule: 'once',
    });
  });
});
