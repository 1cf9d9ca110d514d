import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Command, Transition } from '../journeys/run-types';
import { upsertsOnlyWhenParked, type HistoryShape } from './history-shape';
import { describeCommand } from './describe-command';
import { JourneyStatusKey, JourneyStepKey } from './search-attributes';

/** Keeps the Web UI's search attributes (JourneyStep, JourneyStatus) and current details in step. */
export interface RunProgress {
  /** The run moved on: its step, status and current command as the interpreter left them. */
  update(transition: Transition): void;
  /** The run is about to carry out `command`: what changed goes out now if the shape says so. */
  beforeCommand(command: Command['kind']): void;
  /** The run ends: what changed since the last upsert goes out now, as one upsert. */
  flush(): void;
}

/**
 * By the run's history shape (history-shape.ts):
 *
 * 3 and later: the keys are upserted when the run parks on a timer or a wait for an event, and when it
 * ends — one upsert of the keys that changed. A run passing through sends shows the step it
 * waits at, not each send on its way (its current details do), so a three-email run upserts once.
 *
 * 2 (the lean-run-history patch): one upsert per workflow task at most, before a send or a wait
 * ends it, of the keys that changed.
 *
 * Both compare with what the run already carries — the router's start sets
 * JourneyStatus=running, a run continued as new inherits its attributes, and earlier upserts of
 * this run show in workflowInfo(). A step passed without waiting (a branch, a profile update, both
 * local activities) is not upserted on its own: Temporal applies a workflow task's commands
 * together, so Web UI sees only the last state anyway.
 *
 * 1 (runs started before the patch): every change of step or status upserts both keys at once,
 * the first one included, as those runs' histories record it.
 */
export function runProgress(shape: HistoryShape): RunProgress {
  if (shape === 1) return eagerProgress();
  return changedKeysProgress(upsertsOnlyWhenParked(shape) ? ['wait'] : ['send', 'wait']);
}

function changedKeysProgress(upsertBefore: Command['kind'][]): RunProgress {
  let wanted: { step: string | null; status: string } | null = null;
  const flush = () => {
    if (!wanted) return;
    const carried = workflowInfo().typedSearchAttributes;
    const changes: SearchAttributeUpdatePair[] = [];
    if ((carried.get(JourneyStepKey) ?? null) !== wanted.step) {
      changes.push({ key: JourneyStepKey, value: wanted.step });
    }
    if (carried.get(JourneyStatusKey) !== wanted.status) {
      changes.push({ key: JourneyStatusKey, value: wanted.status });
    }
    if (changes.length > 0) upsertSearchAttributes(changes);
    wanted = null;
  };
  return {
    update({ state, command }) {
      wanted = { step: state.currentStepId, status: state.status };
      setCurrentDetails(describeCommand(command));
    },
    beforeCommand(command) {
      if (upsertBefore.includes(command)) flush();
    },
    flush,
  };
}

function eagerProgress(): RunProgress {
  let published = { step: '', status: '' };
  return {
    update({ state, command }) {
      const step = state.currentStepId ?? '';
      if (step !== published.step || state.status !== published.status) {
        upsertSearchAttributes([
          { key: JourneyStepKey, value: step || null },
          { key: JourneyStatusKey, value: state.status },
        ]);
        published = { step, status: state.status };
      }
      setCurrentDetails(describeCommand(command));
    },
    beforeCommand: () => undefined,
    flush: () => undefined,
  };
}
