import { eq } from 'drizzle-orm';
import type { DeliveryList, RunDetail } from '../../src/client';
import type { MergeRecord, MergeResult } from '../../src/contract/identity';
import { customers, events, journeyRuns } from '../../src/db/schema';
import { DEFAULT_MERGE_RULES, mergeCustomers, resolveCustomer } from '../../src/identity';
import { journey } from '../../src/journeys/builders';
import { welcomeOnce } from '../support/workflow-test-journeys';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * Identity on the dev server: an anonymous visitor's running run goes on for the identified
 * customer after the merge and sends to their address; a once-only journey both were in ends
 * with one run; a merge and its unmerge with events, consent and a running journey.
 */

// Browse abandonment, its wait shortened: after a product view, wait, then nudge by email.
const browseNudge = journey('browse-nudge')
  .name('Browse abandonment, short wait')
  .trigger('product_view')
  .exitOn('purchase')
  .steps((s) => [
    s.wait('wait_a_bit', { for: '4s' }),
    s.send('nudge', {
      content: { subject: 'Still thinking it over?', html: '<p>Your picks are waiting.</p>' },
    }),
  ])
  .toJSON();

describe('identity merges with running journeys, on the dev server', () => {
  let stack: CairnTestStack;

  beforeAll(async () => {
    stack = await startCairnTestStack();
    for (const definition of [browseNudge, welcomeOnce]) {
      expect((await stack.request('POST', '/v1/journeys', definition)).status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.close();
  });

  const resolve = (ids: Parameters<typeof resolveCustomer>[1]) =>
    resolveCustomer(stack.database.db, ids, { rules: DEFAULT_MERGE_RULES, source: 'website' });

  async function track(id: string, customerId: string, type: string) {
    const accepted = await stack.request('POST', '/v1/events', { id, customerId, type });
    expect(accepted.status).toBe(202);
    return stack.awaitRouted(id);
  }

  const runOf = async (workflowId: string) =>
    (await stack.request<RunDetail>('GET', `/v1/runs/${encodeURIComponent(workflowId)}`)).body.run;

  it('a visitor’s running run goes on for the identified customer and emails their address', async () => {
    await resolve({ anonymousId: 'visitor-1' });
    const routed = await track('v1-view', 'anon:visitor-1', 'product_viewed');
    expect(routed.runsStarted).toEqual(['journey:browse-nudge:anon%3Avisitor-1']);

    // They sign up during the wait: the profile comes from the backend, identify merges.
    await stack.request('PUT', '/v1/customers/user-1', { email: 'ida@example.com' });
    const identified = await resolve({ userId: 'user-1', anonymousId: 'visitor-1' });
    expect(identified.merges).toMatchObject([{ status: 'merged', from: 'anon:visitor-1' }]);

    const [message] = await stack.smtp.waitForMessages(1, 20_000);
    expect(message?.envelope.to).toEqual(['ida@example.com']);
    expect(message?.subject).toBe('Still thinking it over?');
    const run = await eventually(async () => {
      const found = await runOf('journey:browse-nudge:anon%3Avisitor-1');
      return found.status === 'completed' ? found : null;
    });
    expect(run.customerId).toBe('user-1');
    // The run records under the visitor's id; the survivor's lists show it too.
    for (const customerId of ['anon:visitor-1', 'user-1']) {
      const deliveries = await stack.request<DeliveryList>(
        'GET',
        `/v1/customers/${customerId}/deliveries`,
      );
      expect(deliveries.body.deliveries.map((d) => [d.workflowId, d.status])).toEqual([
        ['journey:browse-nudge:anon%3Avisitor-1', 'sent'],
      ]);
    }
    const timeline = await stack.request<{ items: { kind: string; status?: string }[] }>(
      'GET',
      '/v1/customers/user-1/timeline',
    );
    expect(timeline.body.items.filter((item) => item.kind === 'delivery')).toMatchObject([
      { status: 'sent' },
    ]);
  });

  it('routes the survivor’s events to the merged-away customer’s running run', async () => {
    await resolve({ anonymousId: 'visitor-2' });
    await track('v2-view', 'anon:visitor-2', 'product_viewed');
    await stack.request('PUT', '/v1/customers/user-2', { email: 'jo@example.com' });
    await resolve({ userId: 'user-2', anonymousId: 'visitor-2' });
    // A purchase of the identified customer ends the run the visitor started: no nudge.
    await track('u2-purchase', 'user-2', 'purchase');
    const handle = stack.temporal.workflow.getHandle('journey:browse-nudge:anon%3Avisitor-2');
    await expect(handle.result()).resolves.toMatchObject({ finishReason: 'exit_event' });
    expect(stack.smtp.messages.filter((m) => m.envelope.to.includes('jo@example.com'))).toEqual([]);
  });

  it('a once-only journey both were in ends with one run after the merge', async () => {
    await stack.request('PUT', '/v1/customers/anon-3', {});
    await stack.request('PUT', '/v1/customers/user-3', { email: 'kim@example.com' });
    await track('a3-visit', 'anon-3', 'visited');
    await track('u3-visit', 'user-3', 'visited');
    const merged = await stack.request<MergeResult>('POST', '/v1/customers/user-3/merge', {
      from: 'anon-3',
      reason: 'same person',
    });
    expect(merged.status).toBe(200);
    // user-3 entered later: its run is the duplicate.
    expect(merged.body.cancelledRuns).toEqual([
      { workflowId: 'journey:welcome-once:user-3', outcome: 'cancel_requested' },
    ]);
    await expect(
      stack.temporal.workflow.getHandle('journey:welcome-once:user-3').result(),
    ).resolves.toMatchObject({ status: 'cancelled' });
    // Once means once: another visit starts nothing.
    const again = await track('u3-visit-2', 'user-3', 'visited');
    expect(again.runsStarted).toEqual([]);
    const running = await eventually(async () => {
      const rows = await stack.database.db
        .select({ workflowId: journeyRuns.workflowId, status: journeyRuns.status })
        .from(journeyRuns)
        .where(eq(journeyRuns.customerId, 'user-3'));
      return rows.every((r) => r.workflowId.endsWith('anon-3') || r.status === 'cancelled')
        ? rows
        : null;
    });
    expect(running.filter((r) => r.status === 'running')).toEqual([
      { workflowId: 'journey:welcome-once:anon-3', status: 'running' },
    ]);
    await stack.request('POST', '/v1/runs/journey:welcome-once:anon-3/cancel', {});
  });

  it('the router cancels the duplicate of a merge whose caller never did', async () => {
    await stack.request('PUT', '/v1/customers/anon-5', {});
    await stack.request('PUT', '/v1/customers/user-5', {});
    await track('a5-visit', 'anon-5', 'visited');
    await track('u5-visit', 'user-5', 'visited');
    // Merged as by a caller that died (or lost Temporal) right after the commit: only the
    // merge's own customer_merged event is left to settle the duplicate.
    const { mergeId } = await mergeCustomers(stack.database.db, {
      from: 'anon-5',
      into: 'user-5',
      reason: 'same person',
      causedBy: 'test',
    });
    const routed = await stack.awaitRouted(`customer_merged:${mergeId}`);
    expect(routed.runsStarted).toEqual([]);
    await expect(
      stack.temporal.workflow.getHandle('journey:welcome-once:user-5').result(),
    ).resolves.toMatchObject({ status: 'cancelled' });
    const survivor = await stack.database.db
      .select({ workflowId: journeyRuns.workflowId, status: journeyRuns.status })
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, 'journey:welcome-once:anon-5'));
    expect(survivor).toEqual([{ workflowId: 'journey:welcome-once:anon-5', status: 'running' }]);
    await stack.request('POST', '/v1/runs/journey:welcome-once:anon-5/cancel', {});
  });

  it('merge then unmerge with events, consent and a running journey', async () => {
    await stack.request('PUT', '/v1/customers/anon-4', { consent: { sms: 'opted_out' } });
    await stack.request('PUT', '/v1/customers/user-4', {
      email: 'lee@example.com',
      consent: { sms: 'opted_in' },
    });
    await track('a4-visit', 'anon-4', 'visited');
    const merged = await stack.request<MergeResult>('POST', '/v1/customers/user-4/merge', {
      from: 'anon-4',
    });
    expect(merged.body.cancelledRuns).toEqual([]);
    const survivor = await stack.database.db
      .select({ consent: customers.consent })
      .from(customers)
      .where(eq(customers.id, 'user-4'));
    expect(survivor[0]?.consent).toEqual({ sms: 'opted_out' });
    expect((await runOf('journey:welcome-once:anon-4')).customerId).toBe('user-4');
    // An event for the merged-away id after the merge lands on the survivor ...
    await track('a4-visit-2', 'anon-4', 'visited');

    const undone = await stack.request<MergeRecord>(
      'POST',
      `/v1/merges/${merged.body.merge.id}/unmerge`,
      {},
    );
    expect(undone).toMatchObject({ status: 200, body: { status: 'unmerged' } });
    const owners = await stack.database.db
      .select({ id: events.id, customerId: events.customerId })
      .from(events)
      .where(eq(events.type, 'visited'));
    expect(owners.filter((e) => e.id.startsWith('a4-'))).toEqual(
      expect.arrayContaining([{ id: 'a4-visit', customerId: 'anon-4' }]),
    );
    // ... and stays the survivor's: it arrived for them while merged.
    expect(owners.find((e) => e.id === 'a4-visit-2')?.customerId).toBe('user-4');
    const consents = await stack.database.db
      .select({ id: customers.id, consent: customers.consent })
      .from(customers)
      .where(eq(customers.id, 'user-4'));
    expect(consents[0]?.consent).toEqual({ sms: 'opted_in' });
    const run = await runOf('journey:welcome-once:anon-4');
    expect(run).toMatchObject({ customerId: 'anon-4', status: 'running' });
    await stack.request('POST', '/v1/runs/journey:welcome-once:anon-4/cancel', {});
  });
});
