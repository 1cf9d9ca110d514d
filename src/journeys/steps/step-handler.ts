import type { RunContext } from '../run-context';
import type { Command, JourneyEvent, ProfileSnapshot, SendOutcome, Transition } from '../run-types';
import type { Step } from '../schema';

export type SendCommand = Extract<Command, { kind: 'send' }>;
export type UpdateProfileCommand = Extract<Command, { kind: 'update_profile' }>;

/**
 * Either the step produced a command for the driver, or the run moves straight on. `replay`:
 * events the step received but did not take, offered to the step the run moves to (events that
 * arrived while a waitForEvent loaded the profile, after the one it took).
 */
export type StepResult = Transition | { goto: string | undefined; replay?: JourneyEvent[] };

/**
 * What one step type does, input by input. The dispatcher (interpreter.ts) calls a method only
 * with the answer to the command this step issued (a `send_result` only after a send, a timer
 * only once the wait is due); a step without the method for an input never gets it, and the
 * input is recorded as unexpected. Journey-level rules (goal, exitOn, maxDuration, cancel,
 * duplicates, engagement) have run before any of these.
 */
export interface StepHandler<S extends Step> {
  /** The run enters the step (the visit is counted and traced already). */
  enter(ctx: RunContext, step: S): StepResult;
  /** The wait this step scheduled is over. */
  timer?(ctx: RunContext, step: S): StepResult;
  /**
   * An event arrived while the step waits. null: the step does not take this event (the
   * dispatcher records it as ignored); a result: the step consumed or explicitly declined it.
   */
  event?(ctx: RunContext, step: S, event: JourneyEvent): StepResult | null;
  /** The profile the step asked for with load_profile. */
  profile?(ctx: RunContext, step: S, profile: ProfileSnapshot): StepResult;
  /** The outcome of the message the step sent (`sent`: the send command it answers). */
  sendResult?(ctx: RunContext, step: S, outcome: SendOutcome, sent: SendCommand): StepResult;
  /** The profile after the update the step asked for (`update`: the command it answers). */
  profileUpdated?(
    ctx: RunContext,
    step: S,
    profile: ProfileSnapshot,
    update: UpdateProfileCommand,
  ): StepResult;
  /** The engagement history the step asked for with load_engagement. */
  engagement?(ctx: RunContext, step: S, engagedAt: number[]): StepResult;
}

/** One handler per step type, typed so each gets its own step. */
export type StepHandlers = { [T in Step['type']]: StepHandler<Extract<Step, { type: T }>> };
