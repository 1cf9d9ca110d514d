import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const { EventType } = temporal.api.enums.v1;
export { EventType };

/** The marker name the SDK records a local activity's result under. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/**
 * The activities a run called, in order, whether as activity tasks or as local activities (a
 * marker each): a test that counts what a run does keeps counting when an activity turns local.
 */
export function activitiesOf(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) return [scheduled];
    const local = localActivityOf(event);
    return local ? [local] : [];
  });
}

/** The activity type of a local-activity marker, or null for any other event. */
export function localActivityOf(event: HistoryEvent): string | null {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) return null;
  const payload = marker.details?.data?.payloads?.[0];
  if (!payload) return null;
  const data = defaultPayloadConverter.fromPayload<{ activity_type?: string }>(payload);
  return data.activity_type ?? null;
}

/** How many events of `type` the history holds. */
export function countOf(events: HistoryEvent[], type: temporal.api.enums.v1.EventType): number {
  return events.filter((event) => event.eventType === type).length;
}
