import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Transition } from '../journeys/run-types';
import { describeCommand } from './describe-command';
import { JourneyStatusKey, JourneyStepKey } from './search-attributes';

/** Keeps the Web UI's search attributes (JourneyStep, JourneyStatus) and current details in step. */
export interface RunProgress {
  /** The run moved on: its step, status and current command as the interpreter left them. */
  update(transition: Transition): void;
  /**
   * The run is about to wait on something that ends the workflow task (a send, a timer, its
   * end): what changed since the last upsert goes out now, as one upsert.
   */
  flush(): void;
}

/**
 * `lean` (runs started with the lean-run-history patch): one upsert per workflow task at most,
 * of the keys that changed, compared with what the run already carries — the router's start
 * sets JourneyStatus=running, a run continued as new inherits its attributes, and earlier
 * upserts of this run show in workflowInfo(). A step passed without waiting (a branch, a
 * profile update, both local activities) is not upserted on its own: Temporal applies a
 * workflow task's commands together, so Web UI sees only the last state anyway.
 *
 * Otherwise (runs started before the patch) every change of step or status upserts both keys
 * at once, the first one included, as those runs' histories record it.
 */
export function runProgress(lean: boolean): RunProgress {
  return lean ? leanProgress() : eagerProgress();
}

function leanProgress(): RunProgress {
  let wanted: { step: string | null; status: string } | null = null;
  return {
    update({ state, command }) {
      wanted = { step: state.currentStepId, status: state.status };
      setCurrentDetails(describeCommand(command));
    },
    flush() {
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
    },
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
    flush: () => undefined,
  };
}
