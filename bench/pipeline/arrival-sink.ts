// A real SMTP server (smtp-server) in a child process of its own, like bench/support/smtp-sink.ts,
// that also tells the benchmark when each message arrived and for whom: the moment the DATA
// ends, in epoch milliseconds with sub-millisecond precision (comparable across processes).
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

type FromSink = { port: number } | { to: string[]; at: number };

export interface ArrivalSink {
  url: string;
  pid: number;
  /** How many messages arrived so far. */
  count(): number;
  /** Resolves with the arrival time (epoch ms) of the next message for `to`. */
  arrival(to: string): Promise<number>;
  stop(): Promise<void>;
}

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export async function startArrivalSink(): Promise<ArrivalSink> {
  // Inherits tsx's loader flags (process.execArgv), so the child runs this same .ts file.
  const child: ChildProcess = fork(__filename, ['--serve'], { stdio: 'inherit' });
  const waiting = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  let arrived = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`smtp sink exited with ${code}`)));
    child.on('message', (message: FromSink) => {
      if ('port' in message) return resolve(message.port);
      arrived += 1;
      for (const to of message.to) {
        const resolveArrival = waiting.get(to);
        waiting.delete(to);
        if (resolveArrival) resolveArrival(message.at);
        else early.set(to, message.at);
      }
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    pid: child.pid!,
    count: () => arrived,
    arrival(to) {
      const at = early.get(to);
      early.delete(to);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiting.set(to, resolve));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function serve(): void {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        process.send?.({ to, at: epochNow() } satisfies FromSink);
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.server.address() as AddressInfo;
    process.send?.({ port } satisfies FromSink);
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--serve')) serve();
