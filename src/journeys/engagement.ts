import { record, type RunContext } from './run-context';
import type { JourneyEvent } from './run-types';

const ENGAGEMENT_KINDS: Record<string, 'opened' | 'clicked'> = {
  email_opened: 'opened',
  push_opened: 'opened',
  in_app_read: 'opened',
  email_clicked: 'clicked',
  sms_clicked: 'clicked',
};

/**
 * Opens and clicks of this run's own messages (the event names the step that sent it, or a
 * delivery of this run) feed the engagement.* condition paths, whatever step the run is at.
 * Only the first open and the first click of a step count.
 */
export function noteEngagement(ctx: RunContext, event: JourneyEvent): void {
  const kind = ENGAGEMENT_KINDS[event.type];
  const stepId = sendingStep(ctx, event);
  if (!kind || stepId === undefined) return;
  const engagement = ctx.state.engagement ?? {};
  const seen = engagement[stepId] ?? {};
  if (seen[kind] !== undefined) return;
  // Replaced, never changed in place: the caller's state may share these objects.
  ctx.state.engagement = { ...engagement, [stepId]: { ...seen, [kind]: ctx.now } };
  const { deliveryId } = event.properties;
  record(ctx, {
    kind: 'engagement',
    summary: `${stepId}: ${kind} (${event.type})`,
    detail: { eventId: event.id, deliveryId: typeof deliveryId === 'string' ? deliveryId : null },
  });
}

function sendingStep(ctx: RunContext, event: JourneyEvent): string | undefined {
  const { stepId, deliveryId } = event.properties;
  if (typeof stepId === 'string') return stepId;
  return typeof deliveryId === 'string' ? ctx.state.deliverySteps?.[deliveryId] : undefined;
}
