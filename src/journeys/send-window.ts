import { localDateTime, nextLocalTime } from './local-time';

/**
 * A daily window in the customer's own time zone during which messages may go out; outside it
 * are quiet hours. A window whose end is before its start runs over midnight (22:00–06:00).
 */
export interface SendWindow {
  /** "09:00": the first minute messages may go out. */
  start: string;
  /** "20:00": the first minute of quiet hours. */
  end: string;
}

/**
 * The first instant at or after `nowMs` inside the window, in `zone`: `nowMs` itself when the
 * window is open, otherwise the next local `start`. DST-correct, since it reads the zone's own
 * wall clock (a 02:30 that does not exist is never a target; the window opens at its start).
 */
export function nextSendTime(nowMs: number, window: SendWindow, zone: string): number {
  if (isOpen(nowMs, window, zone)) return nowMs;
  return nextLocalTime(nowMs, window.start, zone);
}

export function isOpen(nowMs: number, window: SendWindow, zone: string): boolean {
  const local = localDateTime(nowMs, zone);
  const minute = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return true;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}
