import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { codecEndpointToken, EncryptionCodec, parsePayloadKeys } from '../../src/codec';
import { customers, journeyRuns } from '../../src/db/schema';
import { temporalCliPath } from '../../src/dev/tools';
import { journey } from '../../src/journeys/builders';
import { stateQuery } from '../../src/workflows/messages';
import { journeyWorkflow } from '../../src/workflows/journey';
import {
  CODEC_UI_ORIGIN,
  eventually,
  startCairnTestStack,
  TEST_API_KEY,
  type CairnTestStack,
} from '../support/cairn-stack';
import { testTemporalAddress } from '../support/temporal';
import { brokenLink } from '../support/workflow-test-journeys';

const run = promisify(execFile);

/**
 * Personal data never reaches Temporal in the clear: runs go through the real API, router and
 * worker with production's payload codec, and their raw histories, as the Temporal CLI prints
 * them, hold none of the customer's values, neither plain nor inside any base64 field. The same
 * histories read through the API's codec endpoint (the CLI as its client) show every value.
 */
const CUSTOMER = 'privacy-cust-1';
const PERSONAL = {
  email: 'ottilie.quenby@example.org',
  phone: '+4915112345678',
  first_name: 'Ottilie',
  last_name: 'Quenby-Marsh',
  street: '17 Larkspur Row',
  referrer: 'Bartholomew Inkwater',
  coupon: 'QX-HUSH-4411',
  feedback: 'Penelope Zweigart',
};

const privacyCheck = journey('privacy-check')
  .name('Privacy check')
  .trigger('signed_up')
  .steps((s) => [
    s.updateProfile('remember_referrer', {
      referred_by: { from: 'trigger.properties.referrer' },
    }),
    s.send('welcome', {
      content: {
        subject: 'Welcome {{profile.first_name}} {{profile.last_name}}',
        html: '<p>{{profile.street}}, {{profile.phone}}: {{trigger.referrer}} gave you {{trigger.coupon}}</p>',
      },
    }),
    s.waitForEvent('await_feedback', { event: 'feedback_given', timeout: '1h', onEvent: 'done' }),
    s.exit('done'),
  ])
  .toJSON();

describe('Temporal history holds no personal data (payload codec on worker and clients)', () => {
  let stack: CairnTestStack;
  let apiUrl: string;
  const codec = new EncryptionCodec(parsePayloadKeys(`it-1:${randomBytes(32).toString('base64')}`));
  const workflowId = `journey:privacy-check:${CUSTOMER}`;
  const failedWorkflowId = 'journey:broken-link:privacy-cust-2';

  beforeAll(async () => {
    // Bundles the workflows from source with the codec's failure converter, as production does.
    stack = await startCairnTestStack({ codec });
    apiUrl = await stack.api.listen({ host: '127.0.0.1', port: 0 });
    expect((await stack.request('POST', '/v1/journeys', privacyCheck)).status).toBe(201);
    const { email, phone, first_name, last_name, street } = PERSONAL;
    const saved = await stack.request('PUT', `/v1/customers/${CUSTOMER}`, {
      email,
      phone,
      attributes: { first_name, last_name, street },
    });
    expect(saved.status).toBeLessThan(300);

    await stack.request('POST', '/v1/events', {
      id: 'privacy-signup',
      customerId: CUSTOMER,
      type: 'signed_up',
      properties: { referrer: PERSONAL.referrer, coupon: PERSONAL.coupon },
    });
    expect((await stack.awaitRouted('privacy-signup')).runsStarted).toEqual([workflowId]);
    const [welcome] = await stack.smtp.waitForMessages(1, 20_000);
    expect(welcome?.subject).toBe(`Welcome ${PERSONAL.first_name} ${PERSONAL.last_name}`);

    const handle = stack.temporal.workflow.getHandle(workflowId);
    // A query through the codec: the client decrypts the answer.
    await eventually(
      async () => (await handle.query(stateQuery)).currentStepId === 'await_feedback',
      { describe: `run ${workflowId} waits for the feedback event` },
    );
    await stack.request('POST', '/v1/events', {
      id: 'privacy-feedback',
      customerId: CUSTOMER,
      type: 'feedback_given',
      // Events carry contact data too: these reach the run as a signal.
      properties: { note: PERSONAL.feedback, reply_to: PERSONAL.email, call_back: PERSONAL.phone },
    });
    await stack.awaitRouted('privacy-feedback');
    await handle.result();

    // A run that fails: its failure, message and all, goes through the codec too.
    await stack.database.db
      .insert(customers)
      .values({ id: 'privacy-cust-2', email: PERSONAL.email });
    await stack.database.db.insert(journeyRuns).values({
      workflowId: failedWorkflowId,
      journeyId: brokenLink.id,
      journeyVersion: 1,
      customerId: 'privacy-cust-2',
      status: 'running',
    });
    const failing = await stack.temporal.workflow.start(journeyWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: failedWorkflowId,
      args: [
        {
          definition: brokenLink,
          journeyVersion: 1,
          customerId: 'privacy-cust-2',
          defaultTimeZone: 'UTC',
        },
      ],
    });
    const failure = await failing.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    // Decoded by the client: the message is the run's own.
    expect((failure as WorkflowFailedError).cause?.message).toContain('has no step "ghost"');
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('the raw histories hold none of the values, plain or in any base64 field', async () => {
    for (const id of [workflowId, failedWorkflowId]) {
      const raw = await showHistory(id);
      const texts = readableTexts(JSON.parse(raw));
      for (const [name, value] of Object.entries(PERSONAL)) {
        const found = texts.filter((text) => text.includes(value));
        expect({ name, found }).toEqual({ name, found: [] });
      }
      // Not by chance: every payload is there, encrypted, but the search attributes and the
      // SDK's own bookkeeping in markers (a patch id; a local activity's id, type, attempt and
      // time, the result beside it encrypted), which Temporal's core writes without the codec.
      const encodings = payloadEncodings(JSON.parse(raw)).filter(
        ({ path }) =>
          !path.includes('searchAttributes') &&
          !/markerRecordedEventAttributes\.details\.(?!result\.)/.test(path),
      );
      expect(encodings.length).toBeGreaterThan(5);
      expect(encodings).toEqual(
        encodings.map(({ path }) => ({ path, encoding: 'binary/encrypted' })),
      );
    }
    // The failure's message went into the encrypted attributes.
    const failed = await showHistory(failedWorkflowId);
    expect(failed).not.toContain('has no step');
    expect(failed).toContain('Encoded failure');
  });

  it('search attributes, which no codec encodes, carry ids and states only', async () => {
    const { searchAttributes } = await stack.temporal.workflow.getHandle(workflowId).describe();
    const values = Object.values(searchAttributes).flat().map(String);
    expect(values).toEqual(expect.arrayContaining([CUSTOMER, 'privacy-check']));
    for (const value of Object.values(PERSONAL)) expect(values.join(' ')).not.toContain(value);
  });

  it('the API codec endpoint decodes the same histories for the Temporal CLI (bearer API key)', async () => {
    const decoded = await showHistory(workflowId, [
      '--codec-endpoint',
      `${apiUrl}/codec`,
      '--codec-auth',
      `Bearer ${TEST_API_KEY}`,
    ]);
    const texts = readableTexts(JSON.parse(decoded)).join('\n');
    const missing = Object.entries(PERSONAL).filter(([, value]) => !texts.includes(value));
    expect(missing).toEqual([]);
    const failed = await showHistory(failedWorkflowId, [
      '--codec-endpoint',
      `${apiUrl}/codec/${codecEndpointToken(TEST_API_KEY)}`,
    ]);
    expect(readableTexts(JSON.parse(failed)).join('\n')).toContain('has no step "ghost"');
  });

  it('the codec endpoint refuses callers without the API key or its token, and answers the Web UI origin', async () => {
    const payloads = await codec.encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') },
    ]);
    const body = {
      payloads: payloads.map((p) => ({
        metadata: { encoding: Buffer.from(p.metadata!.encoding!).toString('base64') },
        data: Buffer.from(p.data!).toString('base64'),
      })),
    };
    const post = (url: string, headers: Record<string, string> = {}) =>
      fetch(`${apiUrl}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post('/codec/decode')).status).toBe(401);
    expect((await post('/codec/decode', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(`/codec/${codecEndpointToken('wrong')}/decode`)).status).toBe(401);
    // Without key id metadata the ciphertext is refused with a 400 naming no data.
    const refused = await post('/codec/decode', { authorization: `Bearer ${TEST_API_KEY}` });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'payload_not_decodable' } });

    const preflight = await fetch(`${apiUrl}/codec/${codecEndpointToken(TEST_API_KEY)}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: CODEC_UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CODEC_UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const elsewhere = await fetch(`${apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });
});

/** `temporal workflow show --output json` with raw payloads, against the tests' dev server. */
async function showHistory(workflowId: string, extra: string[] = []): Promise<string> {
  const { stdout } = await run(
    temporalCliPath(),
    [
      'workflow',
      'show',
      '--address',
      testTemporalAddress(),
      '--namespace',
      'default',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
      '--no-json-shorthand-payloads',
      ...extra,
    ],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME }, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

/**
 * Every string in the JSON, and for each that is base64 what it decodes to (and what that
 * holds, if it is JSON in turn): a value hidden in any payload's data or metadata is found.
 */
function readableTexts(json: unknown, depth = 0): string[] {
  const texts: string[] = [];
  const visit = (node: unknown) => {
    if (typeof node === 'string') {
      texts.push(node);
      if (depth < 3 && node.length >= 4 && node.length % 4 === 0 && BASE64.test(node)) {
        const decoded = Buffer.from(node, 'base64').toString('utf8');
        texts.push(decoded);
        try {
          texts.push(...readableTexts(JSON.parse(decoded), depth + 1));
        } catch {
          // Not JSON: the decoded text itself is searched.
        }
      }
    } else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(json);
  return texts;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Where each payload of the history sits, and its encoding (raw protobuf JSON: base64). */
function payloadEncodings(json: unknown, path = ''): { path: string; encoding: string }[] {
  if (Array.isArray(json)) return json.flatMap((item, i) => payloadEncodings(item, `${path}.${i}`));
  if (!json || typeof json !== 'object') return [];
  const node = json as Record<string, unknown>;
  const metadata = node.metadata as Record<string, string> | undefined;
  if (metadata && typeof metadata.encoding === 'string') {
    return [{ path, encoding: Buffer.from(metadata.encoding, 'base64').toString('utf8') }];
  }
  return Object.entries(node).flatMap(([key, value]) => payloadEncodings(value, `${path}.${key}`));
}
