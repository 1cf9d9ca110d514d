import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface MailSink {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded launcher's stand-in for a mail provider: a real SMTP server on localhost that
 * stores every message it accepts as an .eml file, so a developer can open what was sent.
 */
export async function startMailSink(options: {
  /** 0: any free port (see `url`). */
  port: number;
  directory: string;
  onMessage?: (file: string) => void;
}): Promise<MailSink> {
  mkdirSync(options.directory, { recursive: true });
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // The worker's pooled SMTP transport keeps idle sessions open; on Ctrl-C the sink must not
    // wait the default 30 s for them to say goodbye.
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        counter += 1;
        const file = path.join(options.directory, `${Date.now()}-${counter}.eml`);
        writeFileSync(file, Buffer.concat(chunks));
        options.onMessage?.(file);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  // Port 0 asks the kernel for a free one: the URL names the port actually bound.
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
