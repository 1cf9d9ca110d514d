// A pass-through TCP proxy in front of Postgres that counts what clients send: statements
// (Execute, or Query for a simple one), parses, and round trips (Sync, Flush or Query: each one
// the client waits on). Only for counting: it adds a hop, so nothing timed goes through it.
import net from 'node:net';

export interface RoundTripCounter {
  /** A postgres:// url like `url`, pointing at the proxy. */
  url: string;
  counts(): { parses: number; executes: number; roundTrips: number };
  reset(): void;
  close(): Promise<void>;
}

export async function countRoundTrips(url: string): Promise<RoundTripCounter> {
  const target = new URL(url);
  let parses = 0;
  let executes = 0;
  let roundTrips = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    let buffered = Buffer.alloc(0);
    let started = false; // the startup message has a length but no type byte
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 4) break;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) break;
          buffered = buffered.subarray(length);
          started = true;
          continue;
        }
        if (buffered.length < 5) break;
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) break;
        const type = String.fromCharCode(buffered[0] ?? 0);
        if (type === 'P') parses += 1;
        if (type === 'E') executes += 1;
        // Flush too: postgres.js describes a statement with untyped parameters first (Parse,
        // Describe, Flush) and waits for the answer before it binds and executes.
        if (type === 'S' || type === 'H') roundTrips += 1;
        if (type === 'Q') {
          roundTrips += 1;
          executes += 1;
        }
        buffered = buffered.subarray(length + 1);
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
    counts: () => ({ parses, executes, roundTrips }),
    reset: () => {
      parses = 0;
      executes = 0;
      roundTrips = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
