import type { Database } from '../db/database';
import {
  CustomerErasedError,
  ForeignDeliveryError,
  OversizedEventError,
  recordEvents,
  UnknownCustomerError,
  type IncomingEvent,
  type RecordedEvent,
  type RecordOptions,
} from './record-events';

/** Stores one event, sharing a statement with the events other callers store at the same time. */
export interface EventCoalescer {
  /**
   * Resolves once the event is stored (or found a duplicate). Rejects with UnknownCustomerError,
   * CustomerErasedError or ForeignDeliveryError naming index 0 when this event was refused: the others in the same
   * statement are stored without it.
   */
  record(item: IncomingEvent): Promise<RecordedEvent>;
}

interface Waiting {
  item: IncomingEvent;
  resolve(result: RecordedEvent): void;
  reject(error: unknown): void;
}

/** More than this waits for the next statement; the batch API's limit too. */
const MAX_PER_STATEMENT = 500;

/**
 * Group commit for single events: an event arriving while no statement is in flight is stored at
 * the next turn of the event loop (with whatever else arrived in that turn); events arriving while
 * one is in flight wait for it and go together in the next. An idle API adds no delay, a busy one
 * pays one statement and one commit for many requests instead of one each. Each caller still gets
 * its own answer: an event refused (unknown customer, foreign delivery) is taken out and the rest
 * stored again, so one caller's bad event never fails another's request.
 */
export function createEventCoalescer(
  db: Database,
  options: Omit<RecordOptions, 'now'> & { onStored?: () => void },
): EventCoalescer {
  let queue: Waiting[] = [];
  let flushing = false;

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const group = queue.slice(0, MAX_PER_STATEMENT);
      queue = queue.slice(group.length);
      await storeGroup(db, group, options);
    }
    flushing = false;
  };

  return {
    record(item) {
      return new Promise<RecordedEvent>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!flushing) {
          flushing = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}

/** Stores a group, taking refused events out until the rest is stored; never throws. */
async function storeGroup(
  db: Database,
  group: Waiting[],
  options: Omit<RecordOptions, 'now'> & { onStored?: () => void },
): Promise<void> {
  let pending = group;
  while (pending.length > 0) {
    try {
      const recorded = await recordEvents(
        db,
        pending.map((w) => w.item),
        options,
      );
      pending.forEach((waiting, index) => waiting.resolve(recorded[index] as RecordedEvent));
      if (recorded.some((r) => !r.duplicate)) options.onStored?.();
      return;
    } catch (error) {
      const refused = refusedIndexes(error);
      if (!refused) {
        pending.forEach((waiting) => waiting.reject(error));
        return;
      }
      pending.forEach((waiting, index) => {
        if (refused.has(index)) waiting.reject(refusalOfOne(error));
      });
      pending = pending.filter((_, index) => !refused.has(index));
    }
  }
}

function refusedIndexes(error: unknown): Set<number> | null {
  if (
    error instanceof CustomerErasedError ||
    error instanceof UnknownCustomerError ||
    error instanceof ForeignDeliveryError ||
    error instanceof OversizedEventError
  )
    return error.indexes.length > 0 ? new Set(error.indexes) : null;
  return null;
}

/** The refusal as the caller of a single event sees it: its own event, index 0. */
function refusalOfOne(error: unknown): Error {
  if (error instanceof OversizedEventError) return new OversizedEventError([0], error.limitBytes);
  if (error instanceof CustomerErasedError) return new CustomerErasedError([0]);
  return error instanceof ForeignDeliveryError
    ? new ForeignDeliveryError([0])
    : new UnknownCustomerError([0]);
}
