import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { createInAppChannel } from '../../src/channels/in-app-channel';
import type {
  CustomerExport,
  ErasureRequestResponse,
  ErasureResponse,
} from '../../src/contract/privacy';
import { rowsOf } from '../../src/db/rows';
import { deliveries } from '../../src/db/schema';
import { DEFAULT_MERGE_RULES as rules, resolveCustomer } from '../../src/identity';
import { erasureWorkflowId } from '../../src/workflows/erasure-names';
import { stateQuery, type JourneyRunView } from '../../src/workflows/messages';
import {
  PUBLIC_TEST_URL,
  eventually,
  startCairnTestStack,
  type CairnTestStack,
} from '../support/cairn-stack';

/**
 * Erasure end to end on the dev server, Postgres and the SMTP peer: a customer with an email, a
 * phone and a name, events, a sent and clicked email, an inbox message, a device, a topic
 * choice, a suppressed number, a segment membership and a run parked in a wait. After
 * DELETE /v1/customers/:id no row of any table of the database and no Temporal history holds
 * the email, the phone or the name; the ledger still counts the email; the id is refused.
 */
const CUSTOMER = 'erase-me-1';
const EMAIL = 'wilhelmina.zorander@example.org';
const PHONE = '+4915198765432';
const NAME = 'Wilhelmina';
const LAST_NAME = 'Zorander-Pike';
// What the visitor told us before signing up: kept on the visitor's own profile after the merge.
const VISITOR_NOTE = 'Wil from Harbour Road 7';
const PERSONAL = {
  email: EMAIL,
  phone: PHONE,
  name: NAME,
  lastName: LAST_NAME,
  visitorNote: VISITOR_NOTE,
};
const TOKEN = 'device-token-erase-me-0001';
const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const RUN = `journey:erasure-welcome:${CUSTOMER}`;

const welcome = {
  id: 'erasure-welcome',
  name: 'Erasure welcome',
  trigger: { event: 'signed_up' },
  entry: 'welcome',
  steps: [
    {
      id: 'welcome',
      type: 'send',
      kind: 'transactional',
      channel: 'email',
      content: {
        subject: 'Welcome {{profile.first_name}} {{profile.last_name}}',
        html: '<p>Hi {{profile.first_name}}, <a href="https://shop.test/start?who={{urlencode profile.first_name}}">start here</a></p>',
      },
      next: 'inbox',
    },
    {
      id: 'inbox',
      type: 'send',
      kind: 'transactional',
      channel: 'in_app',
      content: { title: 'Hello {{profile.first_name}}', body: 'We will call {{profile.phone}}' },
      next: 'await',
    },
    {
      id: 'await',
      type: 'waitForEvent',
      event: 'profile_completed',
      timeout: '7d',
      onEvent: 'done',
      onTimeout: 'done',
    },
    { id: 'done', type: 'exit' },
  ],
};

describe('erasing a customer (right to be forgotten)', () => {
  let stack: CairnTestStack;
  let exported: CustomerExport;
  let runId: string;

  beforeAll(async () => {
    stack = await startCairnTestStack({
      tracking: { secret: 'tracking-secret-for-erasure-0123456789' },
      channels: (db) => ({ inApp: createInAppChannel({ db }) }),
    });
    const ok = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
      const res = await stack.request(method, url, body);
      if (res.status >= 300)
        throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await ok('POST', '/v1/journeys', welcome);
    await ok('PUT', `/v1/customers/${CUSTOMER}`, {
      email: EMAIL,
      phone: PHONE,
      attributes: { first_name: NAME, last_name: LAST_NAME },
    });
    // Known by identifiers too, and merged with the visitor they were before signing up: the
    // identifiers and the merge's record (which keeps both profiles) hold the email and phone.
    await resolveCustomer(stack.database.db, { anonymousId: 'erase-visitor' }, { rules });
    await ok('PUT', '/v1/customers/anon:erase-visitor', { attributes: { note: VISITOR_NOTE } });
    await resolveCustomer(
      stack.database.db,
      { userId: CUSTOMER, anonymousId: 'erase-visitor', email: EMAIL.toUpperCase(), phone: PHONE },
      { rules, source: 'crm' },
    );
    await ok('PUT', `/v1/customers/${CUSTOMER}/devices/${TOKEN}`, { platform: 'ios' });
    await ok('PUT', '/v1/topics/newsletter', { name: 'Newsletter', mode: 'opt_in' });
    await ok('PUT', `/v1/customers/${CUSTOMER}/topics/newsletter`, { status: 'subscribed' });
    await ok('POST', '/v1/suppressions', { channel: 'sms', address: PHONE, reason: 'complaint' });
    await ok('POST', '/v1/segments', { id: 'vip_list', name: 'VIP list', kind: 'manual' });
    await ok('POST', '/v1/segments/vip_list/members', { add: [CUSTOMER] });
    await ok('POST', '/v1/events', {
      id: 'erase-note',
      customerId: CUSTOMER,
      type: 'note_left',
      properties: { note: `${NAME} ${LAST_NAME} asked for a call`, reply_to: EMAIL, call: PHONE },
    });
    await ok('POST', '/v1/events', {
      id: 'erase-signup',
      customerId: CUSTOMER,
      type: 'signed_up',
      properties: { referrer: `${NAME} ${LAST_NAME}` },
    });
    expect((await stack.awaitRouted('erase-signup')).runsStarted).toEqual([RUN]);

    const [email] = await stack.smtp.waitForMessages(1, 20_000);
    const html = typeof email?.html === 'string' ? email.html : '';
    const click = new RegExp(`href="${PUBLIC_TEST_URL}(/t/c/[A-Za-z0-9_-]+)"`).exec(html)?.[1];
    if (!click) throw new Error('the welcome email has no tracked link');
    const followed = await stack.api.inject({
      method: 'GET',
      url: click,
      headers: { 'user-agent': BROWSER },
    });
    expect(followed.statusCode).toBe(302);

    const handle = stack.temporal.workflow.getHandle(RUN);
    await eventually(
      async () => (await handle.query<JourneyRunView>(stateQuery)).currentStepId === 'await',
      { describe: `run ${RUN} parks in its wait` },
    );
    runId = (await handle.describe()).runId;
    const clicks = await eventually(async () => {
      const res = await stack.request<CustomerExport>('GET', `/v1/customers/${CUSTOMER}/export`);
      return res.body.events.some((e) => e.type === 'email_clicked') ? res : null;
    });
    expect(clicks.status).toBe(200);
    exported = clicks.body;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('exports everything Cairn holds about the customer before the erasure', () => {
    expect(exported).toMatchObject({
      customerId: CUSTOMER,
      profile: { email: EMAIL, phone: PHONE, attributes: { first_name: NAME } },
      topics: [{ topicId: 'newsletter', choice: 'subscribed', subscribed: true }],
      devices: [{ token: TOKEN, platform: 'ios' }],
      suppressions: [{ channel: 'sms', address: PHONE, reason: 'complaint' }],
      segments: [{ segmentId: 'vip_list', exitedAt: null }],
      runs: [{ workflowId: RUN, status: 'running' }],
      inbox: [{ title: `Hello ${NAME}`, body: `We will call ${PHONE}` }],
      trackedLinks: [{ linkIndex: 0, url: `https://shop.test/start?who=${NAME}` }],
      truncated: [],
    });
    expect(exported.deliveries).toEqual([
      expect.objectContaining({ stepId: 'welcome', status: 'sent', recipient: EMAIL }),
      expect.objectContaining({ stepId: 'inbox', status: 'sent', channel: 'in_app' }),
    ]);
    expect(exported.events.map((e) => e.id)).toEqual(
      expect.arrayContaining(['erase-note', 'erase-signup']),
    );
    expect(exported.events.find((e) => e.id === 'erase-note')?.properties).toMatchObject({
      reply_to: EMAIL,
    });
    expect(exported.scores.map((s) => s.id).length).toBeGreaterThan(0);
    expect(exported.identifiers.map((i) => [i.type, i.value]).sort()).toEqual([
      ['anonymousId', 'erase-visitor'],
      ['email', EMAIL],
      ['phone', PHONE],
      ['userId', CUSTOMER],
    ]);
  });

  it('erases: the run is closed, its history deleted, and no table holds the email, phone or name', async () => {
    const started = await stack.request<ErasureRequestResponse>(
      'DELETE',
      `/v1/customers/${CUSTOMER}`,
    );
    expect(started.status).toBe(202);
    expect(started.body.erasure).toMatchObject({ customerId: CUSTOMER, status: 'erasing' });
    // The person is erased: the visitor merged into them is erased with them.
    expect(started.body.mergedCustomers).toEqual(['anon:erase-visitor']);
    // From the answer on the id is refused, while the erasure is still running.
    const during = await stack.request('POST', '/v1/events', {
      id: 'erase-during',
      customerId: CUSTOMER,
      type: 'note_left',
    });
    expect(during).toMatchObject({
      status: 410,
      body: { error: { code: 'customer_erased', issues: [{ path: 'customerId' }] } },
    });
    // A second request joins the first.
    const again = await stack.request<ErasureResponse>('DELETE', `/v1/customers/${CUSTOMER}`);
    expect([200, 202]).toContain(again.status);

    const erasure = await eventually(
      async () => {
        const res = await stack.request<ErasureResponse>(
          'GET',
          `/v1/customers/${CUSTOMER}/erasure`,
        );
        return res.body.erasure?.status === 'erased' ? res.body.erasure : null;
      },
      { timeoutMs: 60_000, describe: 'the erasure to finish' },
    );
    expect(erasure.historiesDeleted).toBeGreaterThanOrEqual(1);
    const visitorErasure = await eventually(
      async () => {
        const res = await stack.request<ErasureResponse>(
          'GET',
          '/v1/customers/anon:erase-visitor/erasure',
        );
        return res.body.erasure?.status === 'erased' ? res.body.erasure : null;
      },
      { timeoutMs: 60_000, describe: "the visitor's erasure to finish" },
    );
    expect(visitorErasure.erasedRows).toMatchObject({ customers: 1 });
    expect(erasure.erasedRows).toMatchObject({
      customers: 1,
      events: expect.any(Number) as unknown,
      deliveries: 2,
      in_app_messages: 1,
      delivery_links: 1,
      device_tokens: 1,
      customer_topics: 1,
      suppressions: 1,
      segment_memberships: 1,
      journey_runs: 1,
    });

    // The run was cancelled (closed by its own cancel path), not deleted while it ran.
    const closed = await activityResults(erasureWorkflowId(CUSTOMER), 'closeCustomerRuns');
    expect(closed[0]).toEqual({ cancelled: 1, terminated: 0 });
    await expect(stack.temporal.workflow.getHandle(RUN).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    await expect(
      stack.temporal.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: RUN, runId },
      }),
    ).rejects.toMatchObject({ code: 5 });

    const found = await scanEveryTable(Object.values(PERSONAL));
    expect(found).toEqual([]);
  });

  it('keeps the delivery ledger counting the sent email, anonymously', async () => {
    const rows = await stack.database.db
      .select({
        status: deliveries.status,
        customerId: deliveries.customerId,
        recipient: deliveries.recipient,
        subject: deliveries.subject,
        workflowId: deliveries.workflowId,
      })
      .from(deliveries)
      .where(and(eq(deliveries.journeyId, 'erasure-welcome'), eq(deliveries.stepId, 'welcome')));
    expect(rows).toEqual([
      { status: 'sent', customerId: null, recipient: null, subject: null, workflowId: 'erased' },
    ]);
    const [counted] = await stack.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(and(eq(deliveries.journeyId, 'erasure-welcome'), isNull(deliveries.customerId)));
    expect(counted?.n).toBe(2);
  });

  it('leaves no Temporal history holding the email, phone or name: the erasure’s own has ids and counts', async () => {
    const history = await stack.temporal.workflow
      .getHandle(erasureWorkflowId(CUSTOMER))
      .fetchHistory();
    const text = readable(history);
    for (const value of Object.values(PERSONAL)) expect(text).not.toContain(value);
    expect(text).toContain(CUSTOMER);
    const listed = await eventually(async () => {
      const left = [];
      for await (const run of stack.temporal.workflow.list({
        query: `CustomerId = "${CUSTOMER}"`,
      })) {
        left.push(run.workflowId);
      }
      return left.length === 0 ? 'none' : null;
    });
    expect(listed).toBe('none');
  });

  it('refuses the erased id and its identifiers until a new opt-in, which starts a fresh profile', async () => {
    const event = await stack.request('POST', '/v1/events', {
      id: 'erase-after',
      customerId: CUSTOMER,
      type: 'signed_up',
    });
    expect(event).toMatchObject({ status: 410, body: { error: { code: 'customer_erased' } } });
    expect(await stack.request('GET', `/v1/customers/${CUSTOMER}`)).toMatchObject({ status: 410 });
    // A re-import under the same id, or the same email under another id, does not resurrect them.
    expect(await stack.request('PUT', `/v1/customers/${CUSTOMER}`, { email: EMAIL })).toMatchObject(
      { status: 410, body: { error: { issues: [{ path: 'id' }] } } },
    );
    expect(
      await stack.request('PUT', '/v1/customers/someone-else', { phone: PHONE }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'identifier_erased', issues: [{ path: 'phone' }] } },
    });
    expect(await scanEveryTable(Object.values(PERSONAL))).toEqual([]);

    const fresh = await stack.request('PUT', `/v1/customers/${CUSTOMER}`, {
      email: EMAIL,
      newOptIn: true,
    });
    expect(fresh).toMatchObject({
      status: 201,
      body: { created: true, customer: { email: EMAIL, phone: null, attributes: {} } },
    });
    const accepted = await stack.request('POST', '/v1/events', {
      id: 'erase-after-opt-in',
      customerId: CUSTOMER,
      type: 'note_left',
    });
    expect(accepted.status).toBe(202);
    const status = await stack.request<ErasureResponse>('GET', `/v1/customers/${CUSTOMER}/erasure`);
    expect(status.body.erasure.releasedAt).toEqual(expect.any(String));
  });

  /** Every row of every table of the test database, as text, that contains one of the values. */
  async function scanEveryTable(values: string[]): Promise<string[]> {
    const tables = rowsOf<{ schema: string; name: string }>(
      await stack.database.db.execute(sql`
        select table_schema as schema, table_name as name from information_schema.tables
         where table_type = 'BASE TABLE'
           and table_schema not in ('pg_catalog', 'information_schema')`),
    );
    expect(tables.length).toBeGreaterThan(20);
    const found: string[] = [];
    for (const { schema, name } of tables) {
      const rows = rowsOf<{ row: string }>(
        await stack.database.db.execute(
          sql`select t::text as row from ${sql.identifier(schema)}.${sql.identifier(name)} t`,
        ),
      );
      for (const { row } of rows) {
        const lower = row.toLowerCase();
        for (const value of values) {
          if (lower.includes(value.toLowerCase())) found.push(`${schema}.${name}: ${value}`);
        }
      }
    }
    return found;
  }

  /** The decoded results of an activity type in a workflow's history, in order. */
  async function activityResults(workflowId: string, activityType: string): Promise<unknown[]> {
    const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, string>();
    const results: unknown[] = [];
    for (const event of history.events ?? []) {
      const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) scheduled.set(String(event.eventId), type);
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && scheduled.get(String(completed.scheduledEventId)) === activityType) {
        const data = completed.result?.payloads?.[0]?.data;
        results.push(data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined);
      }
    }
    return results;
  }
});

/** A history as text, with every payload's data decoded, so plain JSON values are searchable. */
function readable(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
}
