// What clients send Postgres, counted from the wire: statements (Execute, or Query for a simple
// one), parses, describe-only round trips (Flush) and round trips (Sync, Flush or Query: each one
// the client waits on). One parser, two ways in: a pass-through TCP proxy any client can point at
// (`countRoundTrips`), and a socket for postgres.js's `socket` option (`countingSocket`) that
// counts one pool without a proxy. Only for counting: neither is used for anything timed.
import net from 'node:net';

export interface WireCounts {
  parses: number;
  executes: number;
  /** Parse/Describe/Flush sent to learn a statement's parameter types before executing it. */
  describes: number;
  roundTrips: number;
}

export const noWireCounts = (): WireCounts => ({
  parses: 0,
  executes: 0,
  describes: 0,
  roundTrips: 0,
});

/**
 * Reads the frontend messages of one connection as its chunks pass and adds them to `counts`.
 * A connection starts with a startup message that has a length but no type byte.
 */
export function frontendMessageCounter(counts: WireCounts): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      if (!started) {
        if (buffered.length < 4) break;
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) break;
        buffered = buffered.subarray(length);
        // An SSLRequest (80877103) is followed by another startup message.
        started = length !== 8;
        continue;
      }
      if (buffered.length < 5) break;
      const length = buffered.readInt32BE(1);
      if (buffered.length < length + 1) break;
      count(counts, String.fromCharCode(buffered[0] ?? 0));
      buffered = buffered.subarray(length + 1);
    }
  };
}

function count(counts: WireCounts, type: string): void {
  if (type === 'P') counts.parses += 1;
  if (type === 'E') counts.executes += 1;
  // postgres.js describes a statement it has not prepared on this connection (Parse, Describe,
  // Flush) and waits for the parameter types before it binds and executes.
  if (type === 'H') counts.describes += 1;
  if (type === 'S' || type === 'H') counts.roundTrips += 1;
  if (type === 'Q') {
    counts.roundTrips += 1;
    counts.executes += 1;
  }
}

/**
 * A socket factory for postgres.js's `socket` option (left out of its type declarations): each
 * connection of the pool is a plain TCP connection, Nagle off, whose writes are counted.
 */
export function countingSocket(url: string, counts: WireCounts): () => Promise<net.Socket> {
  const target = new URL(url);
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(Number(target.port || 5432), target.hostname);
      socket.setNoDelay(true);
      const counted = frontendMessageCounter(counts);
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = (chunk: unknown, ...rest: unknown[]) => {
        if (Buffer.isBuffer(chunk)) counted(chunk);
        return write(chunk, ...rest);
      };
      socket.once('connect', () => resolve(socket)).once('error', reject);
    });
}

export interface RoundTripCounter {
  /** A postgres:// url like `url`, pointing at the proxy. */
  url: string;
  counts(): { parses: number; executes: number; describes: number; roundTrips: number };
  reset(): void;
  close(): Promise<void>;
}

/** A pass-through TCP proxy in front of Postgres that counts what its clients send. */
export async function countRoundTrips(url: string): Promise<RoundTripCounter> {
  const target = new URL(url);
  let counts = noWireCounts();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    // Counted into whichever counts object is current, so a reset applies to open connections.
    const connectionCounts = noWireCounts();
    const counted = frontendMessageCounter(connectionCounts);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      counted(chunk);
      for (const key of Object.keys(connectionCounts) as (keyof WireCounts)[]) {
        counts[key] += connectionCounts[key];
        connectionCounts[key] = 0;
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: proxied.toString(),
    counts: () => ({ ...counts }),
    reset: () => {
      counts = noWireCounts();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
