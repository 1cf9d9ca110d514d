import type { ConditionOutcome, Decision, JsonObject, JsonValue, RunState } from './run-types';

/**
 * The decision trace keeps the most recent MAX_TRACE decisions: a long-running journey (or one
 * that ignores many events) must not grow its state, which travels through Temporal history and
 * continue-as-new. RunState.traceDropped counts what was cut from the front.
 */
export const MAX_TRACE = 500;

export function appendDecision(state: RunState, decision: Decision): void {
  state.trace.push(decision);
  const excess = state.trace.length - MAX_TRACE;
  if (excess > 0) {
    state.trace.splice(0, excess);
    state.traceDropped += excess;
  }
}

// Values of contact fields never enter the trace, not even its detail.
const CONTACT_FIELD = /(e_?mail|phone|mobile|msisdn|address|push_?token|device_?token)/i;

export function isContactField(path: string): boolean {
  const last = path.split('.').pop() ?? path;
  return CONTACT_FIELD.test(last);
}

/** Condition outcomes as trace detail, with the values of contact fields withheld. */
export function outcomesDetail(outcomes: ConditionOutcome[]): JsonValue[] {
  return outcomes.map((outcome) => {
    const redact = isContactField(outcome.field);
    const entry: JsonObject = {
      field: outcome.field,
      op: outcome.op,
      expected: redact ? '[withheld]' : outcome.expected,
      actual: redact && !outcome.missing ? '[withheld]' : outcome.actual,
      missing: outcome.missing,
      passed: outcome.passed,
    };
    return entry;
  });
}

/** "2 of 3 conditions passed (match all)" — a summary without any value. */
export function outcomesSummary(outcomes: ConditionOutcome[], match: 'all' | 'any'): string {
  const passed = outcomes.filter((o) => o.passed).length;
  const missing = outcomes.filter((o) => o.missing).map((o) => o.field);
  const missingNote = missing.length > 0 ? `; missing: ${missing.join(', ')}` : '';
  return `${passed} of ${outcomes.length} conditions passed (match ${match})${missingNote}`;
}
