import type { ApiIssue } from '../contract/common';
import type { StartRunBatchResult, StartRunItemResult } from '../contract/runs';
import type { ExplicitStartOutcome, StartRefusal } from '../routing/explicit-start';

const TRIGGER_PROPERTIES = 'trigger.properties.';

/** One item of POST /v1/journeys/:id/runs/batch, answered as the single start would answer it. */
export function batchItemResult(outcome: ExplicitStartOutcome, index: number): StartRunItemResult {
  switch (outcome.kind) {
    case 'started':
      return { index, outcome: 'started', workflowId: outcome.workflowId, runId: outcome.runId };
    case 'already_running':
      return { index, outcome: 'already_running', workflowId: outcome.workflowId, runId: null };
    case 'blocked':
      return {
        index,
        outcome: 'blocked',
        workflowId: outcome.workflowId,
        runId: null,
        rule: outcome.rule,
      };
    case 'refused': {
      const issues = refusalIssues(outcome.refusal, index);
      return {
        index,
        outcome: 'refused',
        workflowId: null,
        runId: null,
        reason: outcome.refusal.reason,
        ...(issues.length > 0 ? { issues } : {}),
      };
    }
  }
}

export function batchCounts(items: StartRunItemResult[]): StartRunBatchResult['counts'] {
  const count = (outcome: StartRunItemResult['outcome']) =>
    items.filter((item) => item.outcome === outcome).length;
  return {
    started: count('started'),
    alreadyRunning: count('already_running'),
    blocked: count('blocked'),
    refused: count('refused'),
  };
}

/** The fields of the item that made the start refuse it, named items.N.field. */
function refusalIssues(refusal: StartRefusal, index: number): ApiIssue[] {
  const at = (field: string) => `items.${index}.${field}`;
  switch (refusal.reason) {
    case 'customer_not_found':
      return [{ path: at('customerId'), message: 'no customer with this id' }];
    case 'invalid_key':
      return [{ path: at('key'), message: refusal.message }];
    case 'trigger_conditions_not_met':
      return refusal.outcomes.map((o) => ({
        // trigger.properties.* reads the item's properties; profile.* and others are named as is.
        path: o.field.startsWith(TRIGGER_PROPERTIES)
          ? at(`properties.${o.field.slice(TRIGGER_PROPERTIES.length)}`)
          : o.field,
        message: `"${o.op}" condition not met${o.missing ? ' (field missing)' : ''}`,
      }));
    case 'journey_not_active':
      return [{ path: 'id', message: `the journey is ${refusal.status}` }];
    default:
      return [];
  }
}
