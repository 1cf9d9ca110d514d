import { MockActivityEnvironment } from '@temporalio/testing';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { customers } from '../../src/db/schema';
import type { Database } from '../../src/db/database';
import {
  createActivities,
  type ActivityConfig,
  type ActivityDeps,
  type SendMessageRequest,
} from '../../src/activities';
import { createEmailChannel } from '../../src/channels/email-channel';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

export interface LogEntry {
  level: LogLevel;
  message: string;
  meta?: LogMetadata;
}

/** The SDK's activity harness, with a logger that keeps entries so tests can inspect them. */
export function activityEnvironment(): { env: MockActivityEnvironment; logs: LogEntry[] } {
  const logs: LogEntry[] = [];
  const record = (level: LogLevel) => (message: string, meta?: LogMetadata) =>
    void logs.push({ level, message, meta });
  const logger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) =>
      void logs.push({ level, message, meta }),
    trace: record('TRACE'),
    debug: record('DEBUG'),
    info: record('INFO'),
    warn: record('WARN'),
    error: record('ERROR'),
  };
  return { env: new MockActivityEnvironment(undefined, { logger }), logs };
}

export async function seedCustomer(
  db: Database,
  values: Partial<typeof customers.$inferInsert> & { id: string },
): Promise<void> {
  await db.insert(customers).values({
    email: `${values.id}@example.com`,
    attributes: { first_name: 'Ada' },
    ...values,
  });
}

let sequence = 0;

export function sendRequest(overrides: Partial<SendMessageRequest> = {}): SendMessageRequest {
  sequence += 1;
  return {
    deliveryKey: `journey:cart:${overrides.customerId ?? 'c1'}/run-1/cart_email/${sequence}`,
    customerId: 'c1',
    journeyId: 'cart',
    journeyVersion: 1,
    workflowId: `journey:cart:${overrides.customerId ?? 'c1'}`,
    stepId: 'cart_email',
    channel: 'email',
    messageKind: 'marketing',
    content: {
      subject: 'You left {{trigger.cart_items.length}} items, {{profile.first_name}}',
      html: '<p>Hi {{profile.first_name}},</p><ul>{{#each trigger.cart_items}}<li>{{name}} — {{money price currency="USD"}}</li>{{/each}}</ul><p><a href="{{links.app}}/cart">Back to {{company.name}}</a></p>',
    },
    variables: {
      trigger: {
        cart_total: 42.5,
        cart_items: [
          { name: 'Tea & cups', price: 12.5 },
          { name: 'Kettle', price: 30 },
        ],
      },
      context: {},
    },
    ...overrides,
  };
}

/**
 * The activities as a worker builds them, sending email to a test SMTP peer; other channels and
 * settings as each test needs them.
 */
export function testActivities(
  deps: Omit<ActivityDeps, 'email' | 'config' | 'identifierKey'> & {
    smtpUrl: string;
    config?: Partial<ActivityConfig>;
    identifierKey?: ActivityDeps['identifierKey'];
  },
) {
  const { smtpUrl, config, ...rest } = deps;
  return createActivities({
    identifierKey: TEST_IDENTIFIER_KEY,
    ...rest,
    email: createEmailChannel({ url: smtpUrl, from: 'Cairn <c@cairn.test>', pool: false }),
    config: { companyName: 'Acme', defaultTimeZone: 'UTC', ...config },
  });
}
