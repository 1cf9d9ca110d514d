import { ApplicationFailure, type Logger, type LogMetadata } from '@temporalio/common';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { RunFinishedRequest } from '../../src/activities';
import { runRegistrySinks, type RunFinishedSinkOptions } from '../../src/runtime/run-finished-sink';
import { eventually } from '../support/eventually';

/** A logger that keeps what it was told, to check that reports name workflow ids only. */
function keptLogger(): Logger & {
  entries: { level: string; message: string; meta?: LogMetadata }[];
} {
  const entries: { level: string; message: string; meta?: LogMetadata }[] = [];
  const at =
    (level: string) =>
    (message: string, meta?: LogMetadata): void =>
      void entries.push({ level, message, ...(meta ? { meta } : {}) });
  return {
    entries,
    log: (level, message, meta) => at(level.toLowerCase())(message, meta),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

const finish = (workflowId: string): RunFinishedRequest => ({
  workflowId,
  status: 'completed',
  finishReason: 'completed',
  trace: [{ step: 'email_1', kind: 'sent' }],
});

// The sink's fn takes the run's WorkflowInfo; the registry write does not read it.
const info = {} as WorkflowInfo;

function sinkWith(
  record: (finish: RunFinishedRequest) => Promise<unknown>,
  options: RunFinishedSinkOptions,
) {
  const { runFinished } = runRegistrySinks(record, {
    firstRetryMs: 5,
    longestRetryMs: 20,
    ...options,
  }).runRegistry;
  return (workflow: WorkflowInfo, report: RunFinishedRequest) => runFinished.fn(workflow, report);
}

describe('the run-finished sink', () => {
  it('writes the report before the workflow task goes on, stamped with the time the run ended', async () => {
    const written: RunFinishedRequest[] = [];
    const before = Date.now();
    const report = sinkWith((f) => Promise.resolve(void written.push(f)), { logger: keptLogger() });
    await report(info, finish('journey:a:ada'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject(finish('journey:a:ada'));
    expect(Date.parse(written[0]!.endedAt!)).toBeGreaterThanOrEqual(before);
  });

  it('does not hold the workflow task while Postgres fails, and lands the report when it is back', async () => {
    const logger = keptLogger();
    const attempts: RunFinishedRequest[] = [];
    let down = 3;
    const report = sinkWith(
      (f) => {
        attempts.push(f);
        return down-- > 0
          ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
          : Promise.resolve();
      },
      { logger },
    );
    await expect(report(info, finish('journey:a:bo'))).resolves.toBeUndefined();
    expect(attempts).toHaveLength(1);
    await eventually(() => attempts.length === 4, { describe: 'three more attempts' });
    // Every attempt carries the time of the first: the row records when the run ended.
    expect(new Set(attempts.map((a) => a.endedAt)).size).toBe(1);
    await eventually(() => logger.entries.some((e) => e.level === 'info'), {
      describe: 'the retried report logged as recorded',
    });
    expect(logger.entries.map((e) => e.meta)).toEqual(
      logger.entries.map(() => ({ workflowId: 'journey:a:bo' })),
    );
  });

  it('gives a slow write at most the inline time, then goes on trying in the background', async () => {
    const landed: string[] = [];
    let calls = 0;
    const report = sinkWith(
      (f) => {
        calls += 1;
        // The first write never answers (a connection that hangs); later ones do.
        if (calls === 1) return new Promise(() => undefined);
        landed.push(f.workflowId);
        return Promise.resolve();
      },
      { inlineTimeoutMs: 30, logger: keptLogger() },
    );
    const started = Date.now();
    await report(info, finish('journey:a:cy'));
    expect(Date.now() - started).toBeLessThan(1_000);
    await eventually(() => landed.includes('journey:a:cy'), { describe: 'the report to land' });
  });

  it('does not try again a report the registry refused, and says so', async () => {
    const logger = keptLogger();
    let calls = 0;
    const report = sinkWith(
      () => {
        calls += 1;
        return Promise.reject(
          ApplicationFailure.nonRetryable('status must be one of …', 'InvalidActivityRequest'),
        );
      },
      { logger },
    );
    await report(info, finish('journey:a:di'));
    expect(calls).toBe(1);
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: 'error', meta: { workflowId: 'journey:a:di' } }),
    ]);
  });

  it('keeps a bounded number of reports waiting, giving up the oldest first', async () => {
    const logger = keptLogger();
    let up = false;
    const landed: string[] = [];
    const report = sinkWith(
      (f) => {
        if (!up) return Promise.reject(new Error('Postgres down'));
        landed.push(f.workflowId);
        return Promise.resolve();
      },
      { maxPending: 2, logger },
    );
    for (const id of ['journey:a:1', 'journey:a:2', 'journey:a:3']) await report(info, finish(id));
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([
      expect.objectContaining({ meta: { workflowId: 'journey:a:1' } }),
    ]);
    up = true;
    await eventually(() => landed.length === 2, { describe: 'the two kept reports to land' });
    expect(landed.sort()).toEqual(['journey:a:2', 'journey:a:3']);
  });
});
