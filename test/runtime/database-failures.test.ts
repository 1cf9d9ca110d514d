import type { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { journey } from '../../src/journeys/builders';
import type { RunInput } from '../../src/journeys/run-types';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { DATABASE_FAILURE_TYPE } from '../../src/runtime/database-failures';
import { CURRENT_HISTORY_SHAPE } from '../../src/workflows/history-shape';
import { journeyWorkflow } from '../../src/workflows/journey';
import { seedCustomer } from '../activities/fixtures';
import { eventually } from '../support/eventually';
import { createTestJourneyWorker } from '../support/journey-worker';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { connectTestClient, testTemporalAddress } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const SECRET = 'ada.lovelace@example.com';

const oneEmail = journey('database-failure')
  .name('One email')
  .steps((s) => [
    s.send('hello', { kind: 'transactional', content: { subject: 'Hi', html: '<p>Hi</p>' } }),
  ])
  .build();

describe('a database error in an activity', () => {
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let database: TestDatabase;
  let smtp: SmtpPeer;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = 'database-failures';

  beforeAll(async () => {
    [{ client, connection }, nativeConnection, database, smtp] = await Promise.all([
      connectTestClient(),
      NativeConnection.connect({ address: testTemporalAddress() }),
      createTestDatabase(),
      startSmtpPeer(),
    ]);
    worker = await createTestJourneyWorker({
      connection: nativeConnection,
      taskQueue,
      db: database.db,
      smtpUrl: smtp.url,
      // A statement Postgres refuses, with a customer's email among its parameters: drizzle's
      // error message and the driver's both carry it.
      faults: {
        beforeProviderCall: async () => {
          await database.db.execute(sql`select ${SECRET}::int`);
        },
      },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await smtp?.stop();
    await database?.close();
  });

  it('reaches Temporal as a retryable DatabaseError naming the SQLSTATE, without the values', async () => {
    await seedCustomer(database.db, { id: 'dbf-ada', email: SECRET });
    const input: RunInput = {
      definition: oneEmail,
      journeyVersion: 1,
      customerId: 'dbf-ada',
      defaultTimeZone: 'UTC',
      historyShape: CURRENT_HISTORY_SHAPE,
    };
    const handle = await client.workflow.start(journeyWorkflow, {
      taskQueue,
      workflowId: journeyWorkflowId(oneEmail.id, 'dbf-ada'),
      args: [input],
    });
    try {
      const failure = await eventually(
        async () => (await handle.describe()).raw.pendingActivities?.[0]?.lastFailure,
        { describe: 'the send to fail once' },
      );
      expect(failure.applicationFailureInfo?.type).toBe(DATABASE_FAILURE_TYPE);
      expect(failure.applicationFailureInfo?.nonRetryable).toBeFalsy();
      expect(failure.message).toBe(
        'PostgresError (22P02): invalid input syntax for type integer: "…"',
      );
      expect(JSON.stringify(failure)).not.toContain(SECRET);
      expect(JSON.stringify(failure)).not.toContain('select');
    } finally {
      await handle.terminate('test done');
    }
  });
});
