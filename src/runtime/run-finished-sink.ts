import { ApplicationFailure, type Logger } from '@temporalio/common';
import { Runtime, type InjectedSinks } from '@temporalio/worker';
import type { RunFinishedRequest } from '../activities';
import type { RunRegistrySinks } from '../workflows/run-finished-sink';

export interface RunFinishedSinkOptions {
  /**
   * How long a workflow task waits for the registry write before it completes without it. The
   * worker runs sink calls before it hands the task's completion to Temporal, so this must stay
   * well inside the workflow task timeout (10 s).
   */
  inlineTimeoutMs?: number;
  /** The first pause between later attempts; it doubles while they fail, up to the longest. */
  firstRetryMs?: number;
  longestRetryMs?: number;
  /** Reports kept for later attempts; past it the oldest is given up (and logged). */
  maxPending?: number;
  logger?: Logger;
}

const DEFAULTS = {
  inlineTimeoutMs: 2_000,
  firstRetryMs: 1_000,
  longestRetryMs: 60_000,
  maxPending: 10_000,
};

type RecordFinish = (finish: RunFinishedRequest) => Promise<unknown>;

/**
 * The worker's side of the run-finished sink (src/workflows/run-finished-sink.ts): it writes the
 * report to the runs registry in the workflow task that ended the run, so the row is finished by
 * the time the run's result can be read. A write that fails or is slow (Postgres down) does not
 * hold the task: the report is kept and tried again in the background, with the time the run
 * ended, until it lands. A report lost with the worker process (it ended during an outage and
 * the process died before Postgres came back) leaves a row that says running after its run
 * ended; routing finds that out from Temporal the next time an event for the run arrives
 * (src/routing/reconcile.ts). Logs carry workflow ids only.
 */
export function runRegistrySinks(
  record: RecordFinish,
  options: RunFinishedSinkOptions = {},
): InjectedSinks<RunRegistrySinks> {
  const settings = { ...DEFAULTS, ...options };
  const log = () => settings.logger ?? Runtime.instance().logger;
  const later = laterAttempts(record, settings, log);
  return {
    runRegistry: {
      runFinished: {
        fn: async (_info, finish) => {
          const report = { ...finish, endedAt: finish.endedAt ?? new Date().toISOString() };
          const outcome = await attempt(record, report, settings.inlineTimeoutMs);
          if (outcome === 'recorded') return;
          if (outcome === 'refused') return refused(log(), report);
          log().warn('run end not yet in the runs registry; trying again in the background', {
            workflowId: report.workflowId,
          });
          later.add(report);
        },
        callDuringReplay: false,
      },
    },
  };
}

type Outcome = 'recorded' | 'refused' | 'failed';

/** One write, bounded in time. A write still running when time is up may land later: harmless. */
async function attempt(
  record: RecordFinish,
  report: RunFinishedRequest,
  timeoutMs: number,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const write = record(report).then(
    (): Outcome => 'recorded',
    (error: unknown): Outcome => (isRefusal(error) ? 'refused' : 'failed'),
  );
  const timeUp = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve('failed'), timeoutMs);
  });
  try {
    return await Promise.race([write, timeUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** The registry refused the report itself (it is malformed): trying again cannot help. */
function isRefusal(error: unknown): boolean {
  return error instanceof ApplicationFailure && error.nonRetryable === true;
}

function refused(logger: Logger, report: RunFinishedRequest): void {
  logger.error('runs registry refused a run end report', { workflowId: report.workflowId });
}

/** Reports waiting for the registry, tried again together, one timer for all of them. */
function laterAttempts(record: RecordFinish, settings: typeof DEFAULTS, log: () => Logger) {
  const pending = new Map<string, RunFinishedRequest>();
  let pause = settings.firstRetryMs;
  let timer: NodeJS.Timeout | null = null;

  const schedule = () => {
    if (timer || pending.size === 0) return;
    timer = setTimeout(() => void tryAll(), pause);
    // Waiting reports never keep a worker process alive that is otherwise done.
    timer.unref();
  };

  async function tryAll(): Promise<void> {
    timer = null;
    let failed = false;
    for (const [workflowId, report] of [...pending]) {
      const outcome = await attempt(record, report, settings.inlineTimeoutMs);
      if (outcome === 'failed') {
        failed = true;
        continue;
      }
      pending.delete(workflowId);
      if (outcome === 'refused') refused(log(), report);
      else log().info('run end recorded in the runs registry after a retry', { workflowId });
    }
    pause = failed ? Math.min(pause * 2, settings.longestRetryMs) : settings.firstRetryMs;
    schedule();
  }

  return {
    add(report: RunFinishedRequest): void {
      pending.delete(report.workflowId);
      pending.set(report.workflowId, report);
      if (pending.size > settings.maxPending) {
        const [oldest] = pending.keys();
        if (oldest !== undefined) {
          pending.delete(oldest);
          log().error('gave up a run end report: too many waiting for the runs registry', {
            workflowId: oldest,
          });
        }
      }
      schedule();
    },
  };
}

/**
 * For replay workers, which never carry out a sink call that is not meant for replay: the sink is
 * registered all the same, as the SDK logs an error for a call to a sink it does not know.
 */
export function replaySinks(): InjectedSinks<RunRegistrySinks> {
  return runRegistrySinks(() => Promise.reject(new Error('a replay records nothing')));
}
