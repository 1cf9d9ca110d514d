/** A turn on a channel's connections: while it is held, a send goes on the wire at once. */
export interface WireTurn {
  /** Gives the connection back; a second call does nothing. */
  release(): void;
}

export interface WireTurns {
  /** Resolves when a connection is free, holding it until the turn is released. */
  take(): Promise<WireTurn>;
}

/**
 * One turn per pooled connection, handed out in the order asked. The send path takes a turn
 * before it claims a message (src/activities/send-message.ts), so a claimed message never waits
 * in the pool's queue: a worker that dies while a send waits for a connection leaves the
 * message pending (sent by the retry), not claimed (an `unknown` outcome).
 */
export function createWireTurns(connections: number): WireTurns {
  let free = connections;
  const waiting: (() => void)[] = [];
  const turn = (): WireTurn => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next();
        else free += 1;
      },
    };
  };
  return {
    take() {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(turn());
      }
      return new Promise((resolve) => waiting.push(() => resolve(turn())));
    },
  };
}
