import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { cairnDataConverter, EncryptionCodec, parsePayloadKeys } from '../../src/codec';
import { deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import type { RunInput } from '../../src/journeys/run-types';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { CURRENT_HISTORY_SHAPE } from '../../src/workflows/history-shape';
import { JOURNEY_WORKFLOW_TYPE } from '../../src/workflows/messages';
import { seedCustomer } from '../activities/fixtures';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { testTemporalAddress } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const root = path.resolve(__dirname, '../..');
const RUNS = 20;

const receipt = journey('killed-receipt')
  .name('Receipt')
  .steps((s) => [
    s.send('receipt', {
      kind: 'transactional',
      content: { subject: 'Receipt', html: '<p>Thanks</p>' },
    }),
  ])
  .build();

/**
 * `npm run worker` killed (SIGKILL) while the SMTP server takes 300 ms per message and more sends
 * are in flight than the worker's five SMTP connections, then started again. Measured before:
 * messages lost (claimed while waiting for a connection, recorded unknown) and runs finishing
 * minutes later (in-flight sends waited out their 2-minute timeout).
 */
describe('a worker killed mid-send', () => {
  let database: TestDatabase;
  let smtp: SmtpPeer;
  let connection: Connection;
  let client: Client;
  const workers: ChildProcess[] = [];
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const taskQueue = `killed-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtpPeer({ dataDelayMs: 300 });
    connection = await Connection.connect({ address: testTemporalAddress() });
    client = new Client({
      connection,
      dataConverter: cairnDataConverter(new EncryptionCodec(parsePayloadKeys(keys))),
    });
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await connection?.close();
    await smtp?.stop();
    await database?.close();
  });

  /** The production worker process, as `npm run worker` starts it. */
  const startWorker = () => {
    // One process (tsx as an import hook, not its CLI, which would run the worker in a child that
    // outlives a SIGKILL of the CLI).
    const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: testTemporalAddress(),
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_URL: smtp.url,
        CAIRN_PAYLOAD_KEYS: keys,
        CAIRN_PRIVACY_KEY: 'worker-killed-mid-send-privacy-key-0001',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    workers.push(worker);
    return worker;
  };

  it('loses no message, sends none twice, and its runs finish within seconds', async () => {
    const ids = Array.from({ length: RUNS }, (_, i) => `killed-${i}`);
    for (const id of ids) await seedCustomer(database.db, { id });
    const first = startWorker();
    const handles = await Promise.all(
      ids.map((customerId) => {
        const input: RunInput = {
          definition: receipt,
          journeyVersion: 1,
          customerId,
          defaultTimeZone: 'UTC',
          historyShape: CURRENT_HISTORY_SHAPE,
        };
        return client.workflow.start(JOURNEY_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: journeyWorkflowId(receipt.id, customerId),
          args: [input],
        });
      }),
    );
    // Mid-send: some messages are through, others on the wire or waiting for a connection.
    await smtp.waitForMessages(3, 60_000);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    startWorker();

    const results = await Promise.all(handles.map((h) => h.result()));
    const recovered = Date.now() - killedAt;
    expect(results.every((r) => (r as { status: string }).status === 'completed')).toBe(true);
    // Heartbeats (10 s timeout) and the retry's first pause (5 s), not the 2-minute timeout.
    expect(recovered).toBeLessThan(45_000);

    const rows = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.journeyId, receipt.id));
    expect(rows).toHaveLength(RUNS);
    const unknown = rows.filter((r) => r.status === 'unknown');
    const sent = rows.filter((r) => r.status === 'sent');
    expect(sent.length + unknown.length).toBe(RUNS);
    // Only messages already on the wire when the worker died can be unknown: at most one per
    // SMTP connection. Before, every claimed message waiting for a connection was too.
    expect(unknown.length).toBeLessThanOrEqual(5);
    // Every message went out at most once (the Message-ID is the delivery id).
    const arrived = smtp.messages.map((m) => m.messageId);
    expect(new Set(arrived).size).toBe(arrived.length);
    for (const row of sent) expect(arrived.filter((id) => id?.includes(row.id))).toHaveLength(1);
  }, 120_000);
});
