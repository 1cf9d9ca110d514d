import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyEvent, RunState } from '../journeys/run-types';

/**
 * Signals and queries of the journey workflow, defined once and imported by the workflow, the
 * API and the typed client.
 */

export const JOURNEY_WORKFLOW_TYPE = 'journeyWorkflow';

/** The workflow a score's schedule starts (src/workflows/score-recompute.ts). */
export const SCORE_RECOMPUTE_WORKFLOW_TYPE = 'scoreRecomputeWorkflow';

/** A behaviour or engagement event for this run. Duplicate event ids are ignored. */
export const eventSignal = defineSignal<[JourneyEvent]>('event');

/** Ends the run at its next decision point; a send already in flight completes first. */
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');

export interface JourneyRunView {
  workflowId: string;
  journeyId: string;
  journeyVersion: number;
  customerId: string;
  key: string | null;
  status: RunState['status'];
  finishReason: RunState['finishReason'];
  currentStepId: string | null;
  /** What the run is doing now, e.g. "waiting until 2026-11-23T09:00:00Z". */
  waiting: { until: string; events: string[] } | null;
  enteredAt: string;
  trace: RunState['trace'];
}

export const stateQuery = defineQuery<JourneyRunView>('state');
