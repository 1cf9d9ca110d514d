import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { publishVersion } from '../../src/catalogue';
import { customers, events } from '../../src/db/schema';
import type { JsonObject } from '../../src/journeys/run-types';
import type { JourneyDefinitionInput } from '../../src/journeys/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import type { EventRouterOptions } from '../../src/routing/event-router';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testTemporalAddress } from '../support/temporal';

/** Temporal calls the router made, counted by a real client interceptor. */
export class TemporalCalls {
  signals = 0;
  /** Journey runs started (workflow.start with the trigger in the input). */
  starts = 0;
  /** Event id → how many calls carried it: a signal, or a start's trigger. */
  readonly byEvent = new Map<string, number>();
  /** Workflow id → how many start calls named it. */
  readonly startsByWorkflow = new Map<string, number>();
  /** Event ids in the order their calls were made, per workflow id. */
  readonly orderByWorkflow = new Map<string, string[]>();

  total(): number {
    return this.signals + this.starts;
  }

  noteEvent(workflowId: string, arg: unknown): void {
    const id = (arg as { id?: string } | undefined)?.id ?? '?';
    this.byEvent.set(id, (this.byEvent.get(id) ?? 0) + 1);
    this.orderByWorkflow.set(workflowId, [...(this.orderByWorkflow.get(workflowId) ?? []), id]);
  }
}

/** Counts signal and start calls; waits `delayMs` before each (a slow Temporal). */
export function countingInterceptor(calls: TemporalCalls, delayMs = 0): WorkflowClientInterceptor {
  const pause = () =>
    delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve();
  const noteStart = (workflowId: string, args: unknown[]) => {
    calls.starts += 1;
    calls.startsByWorkflow.set(workflowId, (calls.startsByWorkflow.get(workflowId) ?? 0) + 1);
    calls.noteEvent(workflowId, (args[0] as { trigger?: unknown } | undefined)?.trigger);
  };
  return {
    async signal(input, next) {
      calls.signals += 1;
      calls.noteEvent(input.workflowExecution.workflowId, input.args[0]);
      await pause();
      return next(input);
    },
    async startWithDetails(input, next) {
      noteStart(input.options.workflowId, input.options.args);
      await pause();
      return next(input);
    },
  };
}

export interface RouterFixture {
  db: TestDatabase;
  temporal: Client;
  calls: TemporalCalls;
  taskQueue: string;
  /** Router options on this fixture's database and client. */
  routerOptions(extra?: Partial<EventRouterOptions>): EventRouterOptions;
  publish(definition: JourneyDefinitionInput): Promise<void>;
  addCustomers(ids: string[]): Promise<void>;
  /** Stores events directly (due at once), in the order given. */
  storeEvents(rows: StoredEventInput[]): Promise<void>;
  close(): Promise<void>;
}

export interface StoredEventInput {
  id: string;
  customerId: string;
  type: string;
  properties?: JsonObject;
  deliveryId?: string;
}

/** A database of its own and a counting client on the test Temporal (or on `address`). */
export async function createRouterFixture(
  options: { address?: string; delayMs?: number } = {},
): Promise<RouterFixture> {
  const db = await createTestDatabase();
  const connection = options.address
    ? Connection.lazy({ address: options.address, connectTimeout: '1s' })
    : await Connection.connect({ address: testTemporalAddress() });
  const calls = new TemporalCalls();
  const temporal = new Client({
    connection,
    interceptors: { workflow: [countingInterceptor(calls, options.delayMs)] },
  });
  const taskQueue = `router-${randomUUID()}`;
  return {
    db,
    temporal,
    calls,
    taskQueue,
    routerOptions: (extra = {}) => ({
      db: db.db,
      temporal,
      taskQueue,
      defaultTimeZone: 'UTC',
      pollIntervalMs: 50,
      backoff: { initialMs: 50, maxMs: 200 },
      ...extra,
    }),
    publish: async (definition) => {
      await publishVersion(db.db, parseJourneyDefinition(definition));
    },
    addCustomers: async (ids) => {
      await db.db.insert(customers).values(ids.map((id) => ({ id })));
    },
    storeEvents: async (rows) => {
      const now = new Date();
      for (let i = 0; i < rows.length; i += 500) {
        await db.db.insert(events).values(
          rows.slice(i, i + 500).map((row) => ({
            id: row.id,
            customerId: row.customerId,
            type: row.type,
            occurredAt: now,
            receivedAt: now,
            properties: row.properties ?? {},
            source: 'test',
            nextRoutingAt: now,
            ...(row.deliveryId ? { deliveryId: row.deliveryId } : {}),
          })),
        );
      }
    },
    close: async () => {
      await connection.close();
      await db.close();
    },
  };
}
