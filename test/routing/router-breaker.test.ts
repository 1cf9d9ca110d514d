import { isNotNull } from 'drizzle-orm';
import { events, journeyRuns } from '../../src/db/schema';
import type { DevServer } from '../../src/dev/temporal-dev-server';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { routePendingEvents, startEventRouter } from '../../src/routing/event-router';
import { restartableTemporal } from '../support/restartable-temporal';
import { eventually } from '../support/eventually';
import { createRouterFixture, type RouterFixture } from './router-fixture';

const welcome: JourneyDefinitionInput = {
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'signed_up' },
  reEntry: { mode: 'once' },
  entry: 'pause',
  steps: [{ id: 'pause', type: 'wait', for: '1d' }],
};

/** Log lines by message, to check the breaker speaks once per outage (and never of customers). */
function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('with Temporal unreachable', () => {
  let f: RouterFixture;
  beforeAll(async () => {
    // Nothing listens on port 1: every call fails to connect.
    f = await createRouterFixture({ address: '127.0.0.1:1' });
    await f.publish(welcome);
    await f.addCustomers(['ada']);
    await f.storeEvents([{ id: 'ada-signup', customerId: 'ada', type: 'signed_up' }]);
  });
  afterAll(async () => f?.close());

  it('a pass hands the event back without counting an attempt', async () => {
    expect(await routePendingEvents(f.routerOptions({ temporalTimeoutMs: 300 }))).toBe(1);
    const [stored] = await f.db.db.select().from(events);
    expect(stored).toMatchObject({ routedAt: null, routingAttempts: 0, routingClaim: null });
  });
});

describe('a Temporal outage: the breaker opens, holds, and closes when it is back', () => {
  const temporal = restartableTemporal('cairn-breaker-');
  let server: DevServer | undefined;
  let f: RouterFixture;

  beforeAll(async () => {
    server = await temporal.start();
    f = await createRouterFixture({ address: server.address });
    await f.publish(welcome);
  });
  afterAll(async () => {
    await f?.close();
    await server?.stop();
    temporal.remove();
  });

  it('keeps events unrouted without burning attempts, then routes them all', async () => {
    const customers = Array.from({ length: 30 }, (_, i) => `u${i}`);
    await f.addCustomers(customers);
    await server?.stop();
    await f.storeEvents(
      customers.map((customerId) => ({
        id: `${customerId}-signup`,
        customerId,
        type: 'signed_up',
      })),
    );
    const { lines, logger } = recordingLogger();
    const router = startEventRouter(
      f.routerOptions({
        logger,
        temporalTimeoutMs: 500,
        breakerBackoff: { initialMs: 200, maxMs: 400 },
        concurrency: 4,
      }),
    );
    try {
      await eventually(() => !router.temporalAvailable(), { describe: 'the breaker to open' });
      const openedAt = Date.now();
      // Several probes fail meanwhile (every 200–400 ms); nothing is claimed or counted.
      await eventually(
        async () => {
          const stored = await f.db.db.select().from(events);
          return (
            Date.now() - openedAt > 1_500 &&
            stored.every((e) => e.routedAt === null && e.routingAttempts === 0) &&
            !router.temporalAvailable()
          );
        },
        { describe: 'the events to stay unrouted, unattempted, for 1.5 s of outage' },
      );

      server = await temporal.start();
      await eventually(
        async () =>
          (await f.db.db.select().from(events).where(isNotNull(events.routedAt))).length ===
          customers.length,
        { timeoutMs: 30_000, intervalMs: 100, describe: 'every event routed after the outage' },
      );
      expect(router.temporalAvailable()).toBe(true);
    } finally {
      await router.stop();
    }
    const stored = await f.db.db.select().from(events);
    expect(stored.every((e) => e.routingAttempts === 1 && e.routingError === null)).toBe(true);
    const runs = await f.db.db.select().from(journeyRuns);
    expect(runs.map((r) => r.customerId).sort()).toEqual([...customers].sort());
    for (const run of runs) {
      expect(run.temporalRunId).not.toBeNull();
      expect((await f.temporal.workflow.getHandle(run.workflowId).describe()).status.name).toBe(
        'RUNNING',
      );
    }
    // One line when the outage began, one when it ended, no event or customer data in them; no
    // routing failure was recorded for an outage.
    const breakerLines = lines.filter((l) => l.msg?.startsWith('temporal'));
    expect(breakerLines.map((l) => l.msg)).toEqual([
      'temporal unreachable: event routing paused',
      'temporal reachable again: event routing resumed',
    ]);
    expect(JSON.stringify(breakerLines)).not.toMatch(/u\d+/);
    expect(lines.filter((l) => l.msg === 'event routing failed')).toEqual([]);
  });
});
