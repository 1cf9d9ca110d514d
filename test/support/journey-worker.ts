import type { DataConverter } from '@temporalio/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type ActivityFaults } from '../../src/activities';
import { createEmailChannel } from '../../src/channels/email-channel';
import type { Database } from '../../src/db/database';
import { templateLinks } from '../../src/runtime/activity-deps';
import { createJourneyWorker } from '../../src/runtime/journey-worker';
import type { CapRule } from '../../src/guardrails/cap-rules';
import { createConsentGate } from '../../src/guardrails/consent-gate';
import type { UnsubscribeSettings } from '../../src/guardrails/unsubscribe-links';
import type { EmailTrackingSettings } from '../../src/tracking/track-email';
import type { ErasureTemporal } from '../../src/privacy/customer-executions';
import { TEST_IDENTIFIER_KEY } from './identifier-key';
import { testWorkflowBundle } from './temporal';

export interface TestWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Database;
  smtpUrl: string;
  faults?: ActivityFaults;
  /** Further channels (SMS, push, webhook, in-app) wired to their local peers. */
  channels?: Pick<ActivityDeps, 'sms' | 'push' | 'webhook' | 'inApp'>;
  /** The pool the consent gate holds its locks on (TestDatabase.gate). */
  gate?: Database;
  /** Global frequency caps for this worker's sends. */
  caps?: CapRule[];
  /** Signs unsubscribe links in marketing email. */
  unsubscribe?: UnsubscribeSettings;
  /** Rewrites HTML email links to signed click redirects and adds an open pixel. */
  tracking?: EmailTrackingSettings;
  /**
   * Production's payload codec (src/codec). The shared bundle has the SDK's failure converter,
   * so such a worker bundles the workflows from source with this one's, as production does.
   */
  dataConverter?: DataConverter;
  /** Temporal for the erasure workflow's activities, and how long a cancelled run may take. */
  erasure?: { temporal: ErasureTemporal; graceMs?: number };
}

/** A real journey worker: real activities on Postgres and SMTP, the bundle built for this run. */
export function createTestJourneyWorker(options: TestWorkerOptions): Promise<Worker> {
  return createJourneyWorker({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.dataConverter
      ? { dataConverter: options.dataConverter }
      : { workflowBundle: testWorkflowBundle() }),
    activities: createActivities({
      db: options.db,
      email: createEmailChannel({
        url: options.smtpUrl,
        from: 'Cairn Test <test@cairn.test>',
        pool: false,
      }),
      ...options.channels,
      consentGate: createConsentGate(options.gate),
      identifierKey: TEST_IDENTIFIER_KEY,
      ...(options.erasure ? { erasure: options.erasure } : {}),
      config: {
        ...(options.caps ? { caps: options.caps } : {}),
        ...(options.unsubscribe ? { unsubscribe: options.unsubscribe } : {}),
        ...(options.tracking ? { tracking: options.tracking } : {}),
        companyName: 'Acme',
        defaultTimeZone: 'UTC',
        appUrl: 'https://shop.test',
        links: templateLinks('https://shop.test'),
      },
      faults: options.faults,
    }),
  });
}
