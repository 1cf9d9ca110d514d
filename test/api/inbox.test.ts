/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { eq, like } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import { createInAppChannel } from '../../src/channels/in-app-channel';
import { CairnClient } from '../../src/client';
import { deliveries, events, inAppMessages } from '../../src/db/schema';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { API_KEY, auth, awaitRouted, createHarness, type Harness } from './harness';

let h: Harness;
let sequence = 0;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live', router: true });
  for (const id of ['ada', 'bob']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
});
afterAll(async () => h.close());

/** Delivers an in-app message through the real channel; returns its inbox id. */
async function deliver(
  customerId: string,
  title: string,
  sentBy?: { workflowId: string; journeyId: string },
): Promise<string> {
  sequence += 1;
  const deliveryId = `3f1c2a9e-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  if (sentBy) {
    // The ledger row of the run that sent the message: the read goes back to that run.
    await h.db.db.insert(deliveries).values({
      id: deliveryId,
      deliveryKey: `${sentBy.workflowId}/run/notify/1/0`,
      customerId,
      journeyId: sentBy.journeyId,
      journeyVersion: 1,
      workflowId: sentBy.workflowId,
      stepId: 'notify',
      channel: 'in_app',
      messageKind: 'marketing',
      status: 'sent',
    });
  }
  const channel = createInAppChannel({ db: h.db.db });
  const receipt = await channel.send({
    deliveryId,
    customerId,
    title,
    body: `${title} body`,
    data: { n: sequence },
  });
  return receipt.providerMessageId;
}

const get = (url: string) => h.inject({ url, headers: auth });
const post = (url: string) => h.inject({ method: 'POST', url, headers: auth, payload: {} });
const readEvents = () => h.db.db.select().from(events).where(like(events.id, 'inapp:%'));

describe('inbox listing', () => {
  let ids: string[];
  beforeAll(async () => {
    ids = [];
    for (const title of ['first', 'second', 'third', 'fourth', 'fifth']) {
      ids.push(await deliver('ada', title));
    }
    await deliver('bob', 'for bob');
  });

  it('lists unread messages newest first by default, only the customer’s own', async () => {
    const res = await get('/v1/customers/ada/inbox');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.messages.map((m: { title: string }) => m.title)).toEqual([
      'fifth',
      'fourth',
      'third',
      'second',
      'first',
    ]);
    expect(body.nextCursor).toBeNull();
    expect(body.messages[0]).toEqual({
      id: ids[4],
      deliveryId: expect.stringMatching(/^3f1c2a9e-/),
      title: 'fifth',
      body: 'fifth body',
      actionUrl: null,
      data: { n: 5 },
      status: 'unread',
      createdAt: expect.any(String),
      readAt: null,
      archivedAt: null,
    });
  });

  it('pages with limit and nextCursor without repeating or skipping a message', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const body = (await get(`/v1/customers/ada/inbox?limit=2${query}`)).json();
      seen.push(...(body.messages as { id: string }[]).map((m) => m.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('counts unread messages', async () => {
    expect((await get('/v1/customers/ada/inbox/unread-count')).json()).toEqual({ unread: 5 });
  });

  it('rejects a bad status, limit or cursor naming the field', async () => {
    const badStatus = await get('/v1/customers/ada/inbox?status=new');
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.issues[0].path).toBe('status');
    expect((await get('/v1/customers/ada/inbox?limit=0')).json().error.issues[0].path).toBe(
      'limit',
    );
    const foreign = await get(`/v1/customers/bob/inbox?cursor=${ids[0]}`);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.issues).toEqual([
      { path: 'cursor', message: 'must be the nextCursor of a previous page' },
    ]);
  });

  it('answers 404 for an unknown customer and 401 without a key', async () => {
    const missing = await get('/v1/customers/nobody/inbox');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('customer_not_found');
    expect((await h.inject({ url: '/v1/customers/ada/inbox' })).statusCode).toBe(401);
  });
});

describe('reading and archiving', () => {
  it('marks read once, stores one in_app_read event, and stays idempotent', async () => {
    const id = await deliver('ada', 'to read');
    const first = await post(`/v1/customers/ada/inbox/${id}/read`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id, status: 'read', readAt: expect.any(String) });
    const again = await post(`/v1/customers/ada/inbox/${id}/read`);
    expect(again.json()).toEqual(first.json());

    const [row] = await h.db.db.select().from(inAppMessages).where(eq(inAppMessages.id, id));
    const stored = (await readEvents()).filter((e) => e.id === `inapp:${id}:read`);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      customerId: 'ada',
      type: 'in_app_read',
      source: 'inbox',
      properties: { messageId: id, deliveryId: row?.deliveryId },
      occurredAt: row?.readAt,
    });
    const unread = (await get('/v1/customers/ada/inbox')).json().messages;
    expect(unread.map((m: { id: string }) => m.id)).not.toContain(id);
    const read = (await get('/v1/customers/ada/inbox?status=read')).json().messages;
    expect(read.map((m: { id: string }) => m.id)).toContain(id);
  });

  it('archives idempotently; an archived message stays archived when read', async () => {
    const id = await deliver('ada', 'to archive');
    const first = await post(`/v1/customers/ada/inbox/${id}/archive`);
    expect(first.json()).toMatchObject({ id, status: 'archived', readAt: null });
    expect((await post(`/v1/customers/ada/inbox/${id}/archive`)).json()).toEqual(first.json());
    const read = (await post(`/v1/customers/ada/inbox/${id}/read`)).json();
    expect(read).toMatchObject({ status: 'archived', readAt: expect.any(String) });
    const archived = (await get('/v1/customers/ada/inbox?status=archived')).json().messages;
    expect(archived.map((m: { id: string }) => m.id)).toEqual([id]);
    const all = (await get('/v1/customers/ada/inbox?status=all')).json().messages;
    expect(all.map((m: { id: string }) => m.id)).toContain(id);
  });

  it("answers 404 for another customer's message and changes nothing", async () => {
    const bobs = await deliver('bob', 'private');
    const eventsBefore = (await readEvents()).length;
    for (const action of ['read', 'archive']) {
      const res = await post(`/v1/customers/ada/inbox/${bobs}/${action}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('inbox_message_not_found');
    }
    const [row] = await h.db.db.select().from(inAppMessages).where(eq(inAppMessages.id, bobs));
    expect(row).toMatchObject({ status: 'unread', readAt: null, archivedAt: null });
    expect(await readEvents()).toHaveLength(eventsBefore);
  });

  it('answers 404 for an unknown customer or message, 400 for a malformed message id', async () => {
    const unknownCustomer = await post(
      `/v1/customers/nobody/inbox/${await deliver('ada', 'x')}/read`,
    );
    expect(unknownCustomer.json().error.code).toBe('customer_not_found');
    const unknownMessage = await post(
      '/v1/customers/ada/inbox/00000000-0000-4000-8000-000000000000/read',
    );
    expect(unknownMessage.statusCode).toBe(404);
    const malformed = await post('/v1/customers/ada/inbox/not-a-uuid/read');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.issues[0].path).toBe('messageId');
  });
});

describe('journeys waiting for the read', () => {
  const readWatch: JourneyDefinitionInput = {
    id: 'read-watch',
    name: 'Waits for an inbox read',
    trigger: { event: 'nudged' },
    reEntry: { mode: 'once' },
    entry: 'wait',
    steps: [
      { id: 'wait', type: 'waitForEvent', event: 'in_app_read', timeout: '2d', onEvent: 'done' },
      { id: 'done', type: 'exit' },
    ],
  };

  it('signals the running run with the in_app_read event', async () => {
    await h.inject({ method: 'POST', url: '/v1/journeys', headers: auth, payload: readWatch });
    await h.inject({ method: 'PUT', url: '/v1/customers/cara', headers: auth, payload: {} });
    const started = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: { id: 'nudge-1', customerId: 'cara', type: 'nudged' },
    });
    expect(started.statusCode).toBe(202);
    await awaitRouted(h, 'nudge-1');
    const id = await deliver('cara', 'read me', {
      workflowId: journeyWorkflowId('read-watch', 'cara'),
      journeyId: 'read-watch',
    });
    await post(`/v1/customers/cara/inbox/${id}/read`);
    await awaitRouted(h, `inapp:${id}:read`);
    const workflowId = journeyWorkflowId('read-watch', 'cara');
    // The trigger (nudge-1) rode in the start input; the read is the run's one signal.
    expect(await signalsOf(h.temporal, workflowId)).toEqual([`event:inapp:${id}:read`]);
  });
});

describe('typed client', () => {
  it('lists, counts, reads and archives through CairnClient', async () => {
    const cairn = new CairnClient({ baseUrl: h.baseUrl, apiKey: API_KEY });
    await h.inject({ method: 'PUT', url: '/v1/customers/dan', headers: auth, payload: {} });
    const older = await deliver('dan', 'older');
    const newer = await deliver('dan', 'newer');
    expect(await cairn.getInboxUnreadCount('dan')).toEqual({ unread: 2 });
    const page = await cairn.listInbox('dan', { limit: 1 });
    expect(page.messages.map((m) => m.id)).toEqual([newer]);
    const next = await cairn.listInbox('dan', { limit: 1, cursor: page.nextCursor ?? '' });
    expect(next.messages.map((m) => m.id)).toEqual([older]);
    expect((await cairn.markInboxMessageRead('dan', newer)).status).toBe('read');
    expect((await cairn.archiveInboxMessage('dan', older)).status).toBe('archived');
    expect(await cairn.getInboxUnreadCount('dan')).toEqual({ unread: 0 });
    const all = await cairn.listInbox('dan', { status: 'all' });
    expect(all.messages.map((m) => m.status)).toEqual(['read', 'archived']);
  });
});

/** Signals the workflow received, as (name, event id) pairs from its history. */
async function signalsOf(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const attrs = e.workflowExecutionSignaledEventAttributes;
    if (!attrs) return [];
    const payload = attrs.input?.payloads?.[0]?.data;
    const id = payload
      ? (JSON.parse(Buffer.from(payload).toString()) as { id?: string }).id
      : undefined;
    return [`${attrs.signalName}:${id ?? ''}`];
  });
}
