import { eq } from 'drizzle-orm';
import { events, journeyRuns } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import { welcomeOnce } from '../support/workflow-test-journeys';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * An anonymous visitor browses (Segment track calls with an anonymousId), a browse-abandonment
 * journey starts for them, then they sign up (identify with their userId, the same anonymousId
 * and an email): one customer with the whole history, and the run that started anonymously goes
 * on and emails the identified customer. Dev server, real router, worker and SMTP peer.
 */

const browseRescue = journey('browse-rescue')
  .name('Browse abandonment, short wait')
  .trigger('product_view')
  .steps((s) => [
    s.waitForEvent('await_cart', {
      event: 'add_to_cart',
      timeout: '4s',
      onEvent: 'done',
      onTimeout: 'nudge',
    }),
    s.send('nudge', {
      content: { subject: 'Still thinking about it, {{profile.first_name}}?', html: '<p>Hi</p>' },
    }),
    s.exit('done'),
  ])
  .toJSON();

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
  for (const definition of [browseRescue, welcomeOnce]) {
    expect((await stack.request('POST', '/v1/journeys', definition)).status).toBe(201);
  }
});
afterAll(async () => stack?.close());

it('keeps the anonymous run going for the customer who signed up, with the whole history', async () => {
  const view = await stack.request('POST', '/v1/track', {
    messageId: 'view-1',
    anonymousId: 'visitor-9',
    event: 'Product Viewed',
    properties: { product_id: 'lamp' },
  });
  expect(view.status).toBe(200);
  const started = await stack.awaitRouted('view-1');
  expect(started.runsStarted).toHaveLength(1);

  const signup = await stack.request('POST', '/v1/identify', {
    messageId: 'signup-1',
    userId: 'cleo',
    anonymousId: 'visitor-9',
    traits: { email: 'cleo@example.com', firstName: 'Cleo' },
  });
  expect(signup).toMatchObject({
    status: 200,
    body: { messages: [{ messageId: 'signup-1', customerId: 'cleo' }] },
  });

  const [message] = await stack.smtp.waitForMessages(1, 30_000);
  expect(message?.envelope.to).toEqual(['cleo@example.com']);
  expect(message?.subject).toBe('Still thinking about it, Cleo?');

  const history = await stack.database.db
    .select({ id: events.id })
    .from(events)
    .where(eq(events.customerId, 'cleo'));
  // The visitor's view, and the merge's own event (it settles duplicate runs).
  expect(history.map((e) => e.id).sort()).toEqual([
    expect.stringMatching(/^customer_merged:/),
    'view-1',
  ]);
  const timeline = await stack.request<{ items: { kind: string }[] }>(
    'GET',
    '/v1/customers/cleo/timeline',
  );
  expect(timeline.status).toBe(200);
  expect(timeline.body.items.map((i) => i.kind)).toEqual(expect.arrayContaining(['run_entered']));
});

it('leaves one run of a once-only journey both were in when an identify merges them', async () => {
  for (const [messageId, who] of [
    ['visit-anon', { anonymousId: 'visitor-12' }],
    ['visit-user', { userId: 'dex' }],
  ] as const) {
    const res = await stack.request('POST', '/v1/track', { messageId, event: 'Visited', ...who });
    expect(res.status).toBe(200);
    expect((await stack.awaitRouted(messageId)).runsStarted).toHaveLength(1);
  }
  const identify = await stack.request('POST', '/v1/identify', {
    messageId: 'identify-dex',
    userId: 'dex',
    anonymousId: 'visitor-12',
  });
  expect(identify.status).toBe(200);
  // dex entered later: theirs is the duplicate, cancelled once the merge committed.
  await expect(
    stack.temporal.workflow.getHandle('journey:welcome-once:dex').result(),
  ).resolves.toMatchObject({ status: 'cancelled' });
  const runs = await stack.database.db
    .select({ workflowId: journeyRuns.workflowId, status: journeyRuns.status })
    .from(journeyRuns)
    .where(eq(journeyRuns.customerId, 'dex'));
  // The workflow id escapes the ':' of the visitor's customer id.
  const visitorRun = 'journey:welcome-once:anon%3Avisitor-12';
  expect(runs.filter((r) => r.status === 'running')).toEqual([
    { workflowId: visitorRun, status: 'running' },
  ]);
  await stack.request('POST', `/v1/runs/${encodeURIComponent(visitorRun)}/cancel`, {});
});
