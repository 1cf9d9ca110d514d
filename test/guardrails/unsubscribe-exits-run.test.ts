import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server';
import { unsubscribeLinks } from '../../src/guardrails/unsubscribe-links';
import { journey } from '../../src/journeys/builders';
import { httpCall } from '../api/harness';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

const SECRET = 'unsubscribe-secret-for-tests-0123456789';
const PUBLIC = 'https://mail.cairn.test';

const newsletter = journey('newsletter-series')
  .name('Newsletter series')
  .trigger('signed_up')
  .exitOn('unsubscribe')
  .steps((s) => [
    s.wait('wait_a_day', { for: '24h' }),
    s.send('issue_one', { content: { subject: 'Issue one', html: '<p>News</p>' } }),
  ])
  .toJSON();

describe('one-click unsubscribe against a running journey', () => {
  let stack: CairnTestStack;
  let publicApi: FastifyInstance;
  let publicUrl: string;

  beforeAll(async () => {
    stack = await startCairnTestStack();
    // The stack's own API has no unsubscribe secret; a second API on the same database, Temporal
    // and task queue serves the public routes, as a separate `api` process would.
    publicApi = await buildApi({
      docsUi: false,
      db: stack.database.db,
      temporal: stack.temporal,
      taskQueue: stack.taskQueue,
      apiKeys: [],
      defaultTimeZone: 'UTC',
      unsubscribe: { secret: SECRET, publicBaseUrl: PUBLIC },
    });
    publicUrl = await publicApi.listen({ host: '127.0.0.1', port: 0 });
    expect((await stack.request('POST', '/v1/journeys', newsletter)).status).toBe(201);
  });

  afterAll(async () => {
    await publicApi?.close();
    await stack?.close();
  });

  it('exits the run at once, mid-wait, and nothing is sent', async () => {
    await stack.request('PUT', '/v1/customers/ines', { email: 'ines@example.com' });
    const started = await stack.request('POST', '/v1/events', {
      id: 'evt-ines-signup',
      customerId: 'ines',
      type: 'signed_up',
    });
    expect(started.status).toBe(202);
    expect((await stack.awaitRouted('evt-ines-signup')).runsStarted).toEqual([
      'journey:newsletter-series:ines',
    ]);

    const { unsubscribe } = unsubscribeLinks(
      { secret: SECRET, publicBaseUrl: PUBLIC },
      { customerId: 'ines', channel: 'email' },
    );
    const res = await httpCall(publicUrl, {
      method: 'POST',
      url: unsubscribe.slice(PUBLIC.length),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);

    const handle = stack.temporal.workflow.getHandle('journey:newsletter-series:ines');
    await expect(handle.result()).resolves.toMatchObject({
      status: 'exited',
      finishReason: 'exit_event',
    });
    expect(stack.smtp.messages).toEqual([]);
  });
});
