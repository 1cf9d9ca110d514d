import { bestHour, MIN_ENGAGEMENTS } from '../best-hour';
import { parseDuration } from '../durations';
import { nextLocalTime } from '../local-time';
import { finish, issue, record, type RunContext } from '../run-context';
import type { Transition } from '../run-types';
import type { WaitStep } from '../schema';
import { scheduleWait, waitZone } from '../wait-scheduling';
import type { StepHandler } from './step-handler';

/**
 * wait: a durable timer for a duration, until an offset since entry, until a local time of day
 * in the customer's zone (DST-correct), or until the customer's best hour, learned from their
 * engagement history (which the driver loads first). When the timer fires, on to `next`.
 */
export const waitStep: StepHandler<WaitStep> = {
  enter(ctx, step) {
    if (step.untilBestHour) return issue(ctx, { kind: 'load_engagement', stepId: step.id });
    const target = waitTarget(ctx, step);
    if ('failed' in target) return target.failed;
    if (target.until <= ctx.now) {
      record(ctx, {
        kind: 'wait_scheduled',
        summary: `${target.describe} has already passed; continuing at once`,
      });
      return { goto: step.next };
    }
    return scheduleWait(ctx, step.id, target.until, [], target.describe);
  },

  timer: (_ctx, step) => ({ goto: step.next }),

  /** The engagement history is in: wait until the customer's best hour (or the fallback time). */
  engagement(ctx, step, engagedAt) {
    const zone = waitZone(ctx) ?? 'UTC';
    const learned = bestHour(engagedAt, zone);
    const fallback = step.untilBestHour?.fallback ?? '09:00';
    const time = learned ? `${String(learned.hour).padStart(2, '0')}:00` : fallback;
    record(ctx, {
      kind: 'best_hour',
      summary: learned
        ? `best hour ${time} in ${zone}, learned from ${learned.basedOn} opens and clicks`
        : `fewer than ${MIN_ENGAGEMENTS} opens and clicks to learn from; using the fallback ${time} in ${zone}`,
      detail: { time, zone, basedOn: learned?.basedOn ?? 0, fallback: learned === null },
    });
    const until = nextLocalTime(ctx.now, time, zone);
    return scheduleWait(ctx, step.id, until, [], `the best hour (${time} in ${zone})`);
  },
};

type WaitTarget = { until: number; describe: string } | { failed: Transition };

function waitTarget(ctx: RunContext, step: WaitStep): WaitTarget {
  const { state } = ctx;
  if (step.for !== undefined)
    return { until: ctx.now + parseDuration(step.for), describe: `for ${step.for}` };
  if (step.untilSinceEntry !== undefined) {
    return {
      until: state.enteredAt + parseDuration(step.untilSinceEntry),
      describe: `until ${step.untilSinceEntry} after entry`,
    };
  }
  const zone = waitZone(ctx);
  if (zone === null) {
    return {
      failed: finish(ctx, 'failed', 'invalid_time_zone', {
        message: 'the run default time zone is not a valid IANA zone',
        zone: state.defaultTimeZone,
      }),
    };
  }
  const time = step.untilLocalTime ?? '00:00';
  return { until: nextLocalTime(ctx.now, time, zone), describe: `until ${time} in ${zone}` };
}
