import { eq } from 'drizzle-orm';
import { publishVersion } from '../../src/catalogue';
import { loadProfileSnapshot, loadProfileSnapshots } from '../../src/customers';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { customers, events, journeyRuns } from '../../src/db/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { claimDueEvents, markRouted, renewClaim } from '../../src/routing/outbox-claims';
import { readStartView } from '../../src/routing/run-registry';
import { findRoutingInterest } from '../../src/routing/routing-interest';
import { builtInCatalogue } from '../../src/scores';

// The embedded stack (npm start) runs the router on PGlite: its statements must work there too.
describe('the router statements on embedded PGlite', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({});
  });
  afterAll(async () => handle?.close());

  it('claim, interest, renewal, routed marks, profiles and the start view', async () => {
    const { db } = handle;
    await db.insert(customers).values([{ id: 'ada', attributes: { plan: 'pro' } }, { id: 'bo' }]);
    await publishVersion(
      db,
      parseJourneyDefinition({
        id: 'tour',
        name: 'Tour',
        trigger: { event: 'signed_up' },
        entry: 'look',
        steps: [{ id: 'look', type: 'waitForEvent', event: 'page_viewed', timeout: '1d' }],
      }),
    );
    await db.insert(journeyRuns).values({
      workflowId: 'journey:tour:bo',
      journeyId: 'tour',
      journeyVersion: 1,
      customerId: 'bo',
      listensTo: ['page_viewed'],
      triggerEventId: 'bo-signup',
    });
    const now = new Date();
    const base = { occurredAt: now, receivedAt: now, nextRoutingAt: now };
    await db.insert(events).values([
      { ...base, id: 'ada-signup', customerId: 'ada', type: 'signed_up' },
      { ...base, id: 'bo-view', customerId: 'bo', type: 'page_viewed' },
      { ...base, id: 'ada-noise', customerId: 'ada', type: 'noise' },
      // Routed long ago; it makes ada's profile.last_engaged_at.
      {
        ...base,
        id: 'ada-opened',
        customerId: 'ada',
        type: 'email_opened',
        occurredAt: new Date('2026-01-02T03:04:05.678Z'),
        routedAt: now,
      },
    ]);

    const claim = '11111111-1111-4111-8111-111111111111';
    const batch = await claimDueEvents(db, { claim, batchSize: 10, leaseMs: 60_000 });
    expect(batch.map((e) => e.id)).toEqual(['ada-signup', 'bo-view', 'ada-noise']);
    await renewClaim(db, claim, 60_000);

    const interest = await findRoutingInterest(db, batch);
    expect(interest.get('ada-signup')?.triggers.map((t) => t.journeyId)).toEqual(['tour']);
    expect(interest.get('bo-view')?.runs.map((r) => r.workflowId)).toEqual(['journey:tour:bo']);
    expect(interest.has('ada-noise')).toBe(false);

    await markRouted(db, claim, ['ada-noise']);
    const [noise] = await db.select().from(events).where(eq(events.id, 'ada-noise'));
    expect(noise).toMatchObject({ routingAttempts: 1, routingClaim: null });
    expect(noise?.routedAt).toBeInstanceOf(Date);

    const profiles = await loadProfileSnapshots(db, ['ada', 'bo', 'ghost'], builtInCatalogue);
    expect([...profiles.keys()].sort()).toEqual(['ada', 'bo']);
    expect(profiles.get('ada')).toEqual(await loadProfileSnapshot(db, 'ada', builtInCatalogue));
    expect(profiles.get('ada')?.last_engaged_at).toBe('2026-01-02T03:04:05.678Z');

    const view = await readStartView(db, {
      journeyId: 'tour',
      customerId: 'bo',
      workflowId: 'journey:tour:bo',
      triggerEventId: 'bo-signup',
      withLastEntry: true,
    });
    expect(view.startedBy?.workflowId).toBe('journey:tour:bo');
    expect(view.running?.workflowId).toBe('journey:tour:bo');
    expect(view.lastEntry?.workflowId).toBe('journey:tour:bo');
  });
});
