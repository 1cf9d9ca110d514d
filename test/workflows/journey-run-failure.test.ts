import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { customers, deliveries, journeyRuns } from '../../src/db/schema';
import { startRun } from '../../src/journeys/interpreter';
import type { Decision } from '../../src/journeys/run-types';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { journeyWorkflow, type JourneyWorkflowInput } from '../../src/workflows/journey';
import { eventually } from '../support/cairn-stack';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';
import { brokenLink, morningNote } from '../support/workflow-test-journeys';

const { EventType } = temporal.api.enums.v1;

describe('how a run ends on an error, in Temporal and in the runs registry (time-skipping server)', () => {
  const harness = useTimeSkippingHarness();

  /** A customer and the running registry row that routing would have written at the start. */
  async function enter(customerId: string, definition: JourneyDefinition): Promise<string> {
    const workflowId = `journey:${definition.id}:${customerId}`;
    await harness.database.db
      .insert(customers)
      .values({ id: customerId, email: `${customerId}@example.com` });
    await harness.database.db.insert(journeyRuns).values({
      workflowId,
      journeyId: definition.id,
      journeyVersion: 1,
      customerId,
      status: 'running',
    });
    return workflowId;
  }

  /** Runs the workflow to its end and returns how Temporal says it failed. */
  async function runToFailure(workflowId: string, input: JourneyWorkflowInput) {
    const worker = await harness.worker();
    return worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId,
        args: [input],
      });
      const error: unknown = await handle.result().then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      return {
        failure: cause as ApplicationFailure,
        status: (await handle.describe()).status.name,
        eventTypes: await eventTypesOf(handle),
      };
    });
  }

  async function eventTypesOf(handle: WorkflowHandle) {
    const { events } = await handle.fetchHistory();
    return (events ?? []).map((e) => e.eventType);
  }

  async function registryRow(workflowId: string) {
    const rows = await harness.database.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, workflowId));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  function expectEndedOnFirstAttempt(eventTypes: (number | null | undefined)[]) {
    expect(eventTypes).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(eventTypes.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  }

  it('fails the run on a step that does not exist, once, and the registry agrees', async () => {
    const customerId = 'broken-link-customer';
    const workflowId = await enter(customerId, brokenLink);
    const { failure, status, eventTypes } = await runToFailure(workflowId, {
      definition: brokenLink,
      journeyVersion: 1,
      customerId,
      defaultTimeZone: 'UTC',
    });

    expect(status).toBe('FAILED');
    expect(failure.type).toBe('JourneyRunFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('journey_code_error: journey "broken-link" has no step "ghost"');
    expect(failure.message).not.toContain('@example.com');
    expectEndedOnFirstAttempt(eventTypes);

    const row = await registryRow(workflowId);
    expect(row).toMatchObject({ status: 'failed', finishReason: 'journey_code_error' });
    expect(row.endedAt).toBeInstanceOf(Date);
    const last = (row.trace as unknown as Decision[]).at(-1);
    expect(last).toMatchObject({
      kind: 'finished',
      stepId: 'hello',
      detail: {
        reason: 'journey_code_error',
        message: 'journey "broken-link" has no step "ghost"',
      },
    });
    // The email before the error went out once; nothing was sent again.
    const sent = await harness.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, customerId));
    expect(sent.map((d) => [d.stepId, d.status])).toEqual([['hello', 'sent']]);
    expect(harness.peers.smtp.messages.filter((m) => m.subject === 'Hello')).toHaveLength(1);
  });

  it('fails a resumed run whose state names a step the journey no longer has', async () => {
    const customerId = 'corrupt-state-customer';
    const workflowId = await enter(customerId, morningNote);
    const input = {
      definition: morningNote,
      journeyVersion: 1,
      customerId,
      defaultTimeZone: 'UTC',
    };
    // As continue-as-new hands it over, but corrupt: the run waits at a step that is gone.
    const entered = startRun(input, Date.now());
    const transition = {
      state: { ...entered.state, currentStepId: 'vanished' },
      command: { kind: 'wait' as const, stepId: 'vanished', until: 0, events: [] },
    };
    transition.state.pendingCommand = transition.command;
    const { failure, status, eventTypes } = await runToFailure(workflowId, {
      ...input,
      resume: { transition, inbox: [] },
    });

    expect(status).toBe('FAILED');
    expect(failure).toMatchObject({ type: 'JourneyRunFailed', nonRetryable: true });
    expect(failure.message).toBe(
      'journey_code_error: journey "morning-note" has no step "vanished"',
    );
    expectEndedOnFirstAttempt(eventTypes);
    expect(await registryRow(workflowId)).toMatchObject({
      status: 'failed',
      finishReason: 'journey_code_error',
    });
  });

  it('fails a run whose input has no definition before it enters', async () => {
    const customerId = 'no-definition-customer';
    const workflowId = await enter(customerId, morningNote);
    const { failure, status, eventTypes } = await runToFailure(workflowId, {
      definition: null as unknown as JourneyDefinition,
      journeyVersion: 1,
      customerId,
      defaultTimeZone: 'UTC',
    });

    expect(status).toBe('FAILED');
    expect(failure).toMatchObject({ type: 'JourneyRunFailed', nonRetryable: true });
    expect(failure.message).toMatch(/^journey_code_error: /);
    expectEndedOnFirstAttempt(eventTypes);
    const row = await registryRow(workflowId);
    expect(row).toMatchObject({ status: 'failed', finishReason: 'journey_code_error' });
    expect((row.trace as unknown as Decision[]).map((d) => d.kind)).toEqual(['finished']);
  });

  it('fails a run without a valid time zone in Temporal as in the registry', async () => {
    const customerId = 'no-zone-customer';
    const workflowId = await enter(customerId, morningNote);
    const { failure, status, eventTypes } = await runToFailure(workflowId, {
      definition: morningNote,
      journeyVersion: 1,
      customerId,
      defaultTimeZone: 'Not/A_Zone',
    });

    expect(status).toBe('FAILED');
    expect(failure).toMatchObject({ type: 'JourneyRunFailed', nonRetryable: true });
    expect(failure.message).toBe(
      'invalid_time_zone: the run default time zone is not a valid IANA zone',
    );
    expectEndedOnFirstAttempt(eventTypes);
    expect(await registryRow(workflowId)).toMatchObject({
      status: 'failed',
      finishReason: 'invalid_time_zone',
    });
  });

  it('records a run cancelled through Temporal as cancelled, not failed', async () => {
    const customerId = 'temporal-cancel-customer';
    const workflowId = await enter(customerId, morningNote);
    const worker = await harness.worker();
    const status = await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start(journeyWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId,
        args: [{ definition: morningNote, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' }],
      });
      await eventually(async () =>
        (await eventTypesOf(handle)).includes(EventType.EVENT_TYPE_TIMER_STARTED),
      );
      await handle.cancel();
      await handle.result().catch(() => undefined);
      return (await handle.describe()).status.name;
    });
    expect(status).toBe('CANCELLED');
    expect(await registryRow(workflowId)).toMatchObject({
      status: 'cancelled',
      finishReason: 'cancelled',
    });
  });
});
