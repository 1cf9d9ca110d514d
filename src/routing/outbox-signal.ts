/** Tells the router in this process that events were stored, so it routes them at once instead of at its next poll. */
export interface OutboxSignal {
  notify(): void;
  subscribe(listener: () => void): () => void;
}

/**
 * An in-process signal: notify() calls every subscriber synchronously. A listener that throws
 * never stops the others (nor the caller that stored the events).
 */
export function createOutboxSignal(): OutboxSignal {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch {
          // A waiting reader or the router failing to wake must not fail the write that woke it.
        }
      }
    },
    subscribe(listener) {
      // A wrapper per subscription: the same function subscribed twice is unsubscribed separately.
      const entry = () => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}
