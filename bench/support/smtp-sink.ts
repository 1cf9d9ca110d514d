// A real SMTP server (smtp-server) in a child process of its own, so the benchmark's CPU figures
// are the client side's only. It reads and drops every message and counts them. Started by
// startSmtpSink(); run directly, it listens and reports its port and counts over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

type FromSink = { port: number } | { count: number };

export interface SmtpSink {
  url: string;
  pid: number;
  /** How many messages the server has accepted so far. */
  count(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  // Inherits tsx's loader flags (process.execArgv), so the child runs this same .ts file.
  const child: ChildProcess = fork(__filename, ['--serve'], { stdio: 'inherit' });
  const next = () =>
    new Promise<FromSink>((resolve, reject) => {
      child.once('message', (message) => resolve(message as FromSink));
      child.once('exit', (code) => reject(new Error(`smtp sink exited with ${code}`)));
    });
  const ready = await next();
  if (!('port' in ready)) throw new Error('smtp sink did not report its port');
  return {
    url: `smtp://127.0.0.1:${ready.port}`,
    pid: child.pid!,
    async count() {
      const answer = next();
      child.send('count');
      const message = await answer;
      if (!('count' in message)) throw new Error('smtp sink answered without a count');
      return message.count;
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
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    size: 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted += 1;
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.server.address() as AddressInfo;
    process.send?.({ port } satisfies FromSink);
  });
  process.on('message', () => process.send?.({ count: accepted } satisfies FromSink));
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--serve')) serve();
