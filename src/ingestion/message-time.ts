/**
 * When a Segment-spec call happened, as Segment computes it: the caller's `timestamp` (or
 * `originalTimestamp`) is on the caller's clock, and so is `sentAt`; their difference is how long
 * the call waited on the device, which is exact whatever the device's clock says. So the time is
 * our receivedAt minus that wait — a phone set an hour ahead still dates its events right. Without
 * sentAt the timestamp is taken as it is (a server library importing history); without any, the
 * call happened when it arrived. Pure.
 */
export interface MessageTimes {
  timestamp?: string | undefined;
  originalTimestamp?: string | undefined;
  sentAt?: string | undefined;
}

export function messageTime(times: MessageTimes, receivedAt: Date): Date {
  const original = times.originalTimestamp ?? times.timestamp;
  if (original === undefined) return receivedAt;
  const happened = Date.parse(original);
  if (times.sentAt === undefined) return new Date(happened);
  const waited = Date.parse(times.sentAt) - happened;
  return new Date(receivedAt.getTime() - waited);
}
