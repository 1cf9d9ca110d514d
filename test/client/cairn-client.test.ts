/* eslint-disable @typescript-eslint/no-unsafe-assignment -- response bodies are read as loose JSON and jest's asymmetric matchers are typed any; the assertions check the shape. */
import { CairnApiError, CairnClient, CairnValidationError } from '../../src/client';
import { API_KEY, createHarness, welcomeJourney, type Harness } from '../api/harness';

let h: Harness;
let client: CairnClient;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live', router: true });
  client = new CairnClient({ baseUrl: `${h.baseUrl}/`, apiKey: API_KEY });
});
afterAll(async () => h.close());

describe('CairnClient', () => {
  it('drives the whole flow: profile, journey, event, run, deliveries', async () => {
    expect(
      (
        await client.upsertCustomer('c:1', {
          timeZone: 'America/New_York',
          attributes: { plan: 'pro' },
        })
      ).created,
    ).toBe(true);
    expect(await client.createJourney(welcomeJourney)).toEqual({
      id: 'welcome',
      version: 1,
      status: 'active',
    });
    expect((await client.getJourney('welcome')).activeVersion).toBe(1);
    const sent = await client.sendEvent(
      { id: 'evt-1', customerId: 'c:1', type: 'signed_up' },
      { waitUntilRouted: 10_000 },
    );
    expect(sent).toMatchObject({ id: 'evt-1', duplicate: false, routed: false });
    expect(sent.state).toMatchObject({
      id: 'evt-1',
      routed: true,
      runsStarted: ['journey:welcome:c%3A1'],
    });
    expect(await client.getEvent('evt-1')).toEqual(sent.state);
    await expect(client.getEvent('evt-never')).rejects.toMatchObject({
      status: 404,
      code: 'event_not_found',
    });
    expect(
      (await client.sendEvents([{ id: 'evt-1', customerId: 'c:1', type: 'signed_up' }])).items[0]
        ?.duplicate,
    ).toBe(true);

    const runs = await client.listRuns('c:1');
    const workflowId = runs.runs[0]?.workflowId as string;
    expect(workflowId).toBe('journey:welcome:c%3A1');
    expect((await client.getRun(workflowId)).run.status).toBe('running');
    expect(await client.cancelRun(workflowId, 'test')).toEqual({
      workflowId,
      cancelRequested: true,
    });
    expect((await client.listDeliveries('c:1', { limit: 10 })).deliveries).toEqual([]);
  });

  it('exports a customer, erases them and follows the erasure', async () => {
    await client.upsertCustomer('c:2', { email: 'c2@example.com' });
    expect((await client.exportCustomer('c:2')).profile.email).toBe('c2@example.com');
    const { erasure } = await client.eraseCustomer('c:2');
    expect(erasure).toMatchObject({ customerId: 'c:2', status: 'erasing', erasedAt: null });
    // No worker runs this harness's task queue: the erasure stays "erasing"; the id is refused.
    expect((await client.getErasure('c:2')).erasure.status).toBe('erasing');
    await expect(
      client.sendEvent({ id: 'evt-c2', customerId: 'c:2', type: 'signed_up' }),
    ).rejects.toMatchObject({ status: 410, code: 'customer_erased' });
    await h.temporal.workflow.getHandle(erasure.workflowId).terminate('test over');
  });

  it('adds, reads, changes and lists sources and their runs', async () => {
    const source = {
      id: 'client-crm',
      name: 'CRM',
      priority: 1,
      interval: '1h',
      connector: {
        kind: 'postgres' as const,
        connection: { env: 'CRM_DATABASE_URL' },
        query: 'select * from contacts where updated_at > $cursor',
      },
      cursor: { field: 'updated_at', type: 'time' as const },
      mapping: { id: 'id', email: 'email' },
    };
    try {
      expect(await client.createSource(source)).toMatchObject({ id: 'client-crm', version: 1 });
      expect((await client.getSource('client-crm')).config.enabled).toBe(true);
      const { name, priority, interval, connector, cursor, mapping } = source;
      const update = { name, priority, interval, connector, cursor, mapping };
      expect(await client.updateSource('client-crm', { ...update, enabled: false })).toMatchObject({
        version: 2,
        config: { enabled: false },
      });
      expect((await client.listSources()).sources.map((s) => s.id)).toEqual(['client-crm']);
      expect(await client.listSourceRuns('client-crm', { limit: 5 })).toEqual({ runs: [] });
      await expect(client.runSource('client-crm')).rejects.toMatchObject({
        status: 409,
        code: 'source_disabled',
      });
      await expect(
        client.createSource({ ...source, id: 'bad', interval: 'often' }),
      ).rejects.toMatchObject({
        issues: [{ path: 'interval' }],
      });
    } finally {
      const schedule = (await client.getSource('client-crm')).scheduleId;
      await h.temporal.schedule.getHandle(schedule).delete();
    }
  });

  it('publishes, lists and reads scores; a bad definition is a CairnValidationError naming the field', async () => {
    const definition = {
      id: 'client_intent',
      name: 'Intent',
      description: 'Downloads',
      kind: 'decaying' as const,
      weights: { download: 5 },
      multipliers: [],
      decayPerDay: 0.9,
      cap: 50,
    };
    expect(await client.publishScore(definition)).toEqual({
      id: 'client_intent',
      version: 1,
      kind: 'decaying',
      active: false,
    });
    expect((await client.listScores()).scores.map((s) => s.id)).toContain('client_intent');
    expect((await client.getScore('client_intent')).versions).toMatchObject([{ version: 1 }]);
    await expect(client.publishScore({ ...definition, decayPerDay: 2 })).rejects.toMatchObject({
      status: 400,
      issues: [expect.objectContaining({ path: 'decayPerDay' })],
    });
    await expect(client.recomputeScore('client_intent')).rejects.toMatchObject({
      status: 404,
      code: 'score_not_found',
    });
  });

  it('throws CairnValidationError naming the field on a 400', async () => {
    const error = await client
      .upsertCustomer('c:2', { timeZone: 'Nowhere/Special' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnValidationError);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      issues: [{ path: 'timeZone', message: expect.stringContaining('IANA') }],
    });

    const batch = await client
      .sendEvents([
        { id: 'ok', customerId: 'c:1', type: 'a' },
        { id: 'bad', customerId: 'c:1', type: 'a', occurredAt: 'soon' },
      ])
      .catch((e: unknown) => e);
    expect((batch as CairnValidationError).issues.map((i) => i.path)).toEqual([
      'items.1.occurredAt',
    ]);
  });

  it('throws CairnApiError with status and code for other failures', async () => {
    const missing = await client.getRun('journey:nope:nobody').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CairnApiError);
    expect(missing).not.toBeInstanceOf(CairnValidationError);
    expect(missing).toMatchObject({
      status: 404,
      code: 'run_not_found',
      requestId: expect.any(String),
    });

    const wrongKey = new CairnClient({
      baseUrl: h.baseUrl,
      apiKey: 'wrong',
      fetch: (...args) => fetch(...args),
    });
    await expect(wrongKey.getCustomer('c:1')).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('previews a journey for a customer, and names the field of a bad preview', async () => {
    await client.upsertCustomer('c:3', { email: 'cy@example.com' });
    await client.createJourney({ ...welcomeJourney, id: 'welcome-preview' });
    const result = await client.previewJourney('welcome-preview', {
      customerId: 'c:3',
      start: '2026-12-01T10:00:00Z',
      horizon: '3d',
    });
    expect(result).toMatchObject({
      journeyId: 'welcome-preview',
      customerId: 'c:3',
      messages: [{ stepId: 'hello', channel: 'email', at: '2026-12-01T10:00:00.000Z' }],
      outcome: { status: 'exited', finishReason: 'exit_step' },
    });

    const error = await client
      .previewJourney('welcome-preview', { profile: { hasEmail: true }, horizon: '1y' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnValidationError);
    expect((error as CairnValidationError).issues.map((i) => i.path)).toEqual(['horizon']);
  });
});
