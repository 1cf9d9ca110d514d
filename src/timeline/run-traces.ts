import type { Client } from '@temporalio/client';
import type { JourneyRunView } from '../workflows/messages';
import { stateQuery } from '../workflows/messages';
import type { Decision, JsonObject, JsonValue } from '../journeys/run-types';

/** A run's decisions and where they came from. */
export interface RunTrace {
  trace: Decision[] | null;
  live: boolean;
}

export interface LiveTraceOptions {
  temporal: Client;
  /** How long the state queries may take together; a run that does not answer falls back. */
  timeoutMs: number;
}

/** Fewer state queries than this per request: a customer with more running runs gets stored traces. */
const MAX_LIVE_QUERIES = 50;

interface RunRef {
  workflowId: string;
  journeyId: string;
  status: string;
  trace: JsonValue[] | null;
}

/**
 * Every run's trace: running runs ask Temporal (in parallel, under one deadline), ended runs and
 * runs Temporal does not answer for use the trace stored in the registry, if any.
 */
export async function runTraces(
  runs: RunRef[],
  live: LiveTraceOptions | null,
): Promise<RunTrace[]> {
  let queried = 0;
  const deadline = Date.now() + (live?.timeoutMs ?? 0);
  return Promise.all(
    runs.map(async (run) => {
      const stored = storedTrace(run.trace);
      if (!live || run.status !== 'running' || queried >= MAX_LIVE_QUERIES) {
        return { trace: stored, live: false };
      }
      queried += 1;
      const view = await queryState(live.temporal, run.workflowId, deadline);
      if (view && view.journeyId === run.journeyId)
        return { trace: storedTrace(view.trace), live: true };
      return { trace: stored, live: false };
    }),
  );
}

async function queryState(
  temporal: Client,
  workflowId: string,
  deadline: number,
): Promise<JourneyRunView | null> {
  try {
    // The running execution of this workflow id: a registry row marked running is the latest.
    const handle = temporal.workflow.getHandle(workflowId);
    return await temporal.withDeadline(deadline, () => handle.query(stateQuery));
  } catch {
    return null;
  }
}

/** The stored trace is JSON from the database: keep only entries shaped like decisions. */
export function storedTrace(value: unknown): Decision[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(isDecision).map((entry) => {
    const { detail, ...rest } = entry;
    return { ...rest, stepId: entry.stepId ?? null, ...(detail ? { detail } : {}) };
  });
}

function isDecision(value: unknown): value is Decision {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.at === 'number' &&
    Number.isFinite(entry.at) &&
    typeof entry.kind === 'string' &&
    typeof entry.summary === 'string' &&
    (entry.stepId === null || entry.stepId === undefined || typeof entry.stepId === 'string') &&
    (entry.detail === undefined || entry.detail === null || isObject(entry.detail))
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
