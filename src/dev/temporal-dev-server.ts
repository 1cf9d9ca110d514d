import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { CAIRN_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { temporalCliPath } from './tools';

export interface DevServerOptions {
  /**
   * The gRPC port. Omitted: the kernel picks a free one, and if another process takes it before
   * the server binds it, the server is started again on another (no free-port race).
   */
  port?: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** Persist state in this SQLite file (survives restarts); in memory when omitted. */
  dbFile?: string;
  namespace?: string;
  /** How long to wait for the server to answer, default 30 s. */
  startTimeoutMs?: number;
  /** Where the server's own output goes; ignored by default (its last lines name a failure). */
  output?: 'inherit' | 'ignore';
  /**
   * Run the server in a process group of its own, so a Ctrl-C in the terminal reaches only the
   * parent, which then stops the server after the worker that uses it (`npm start` does this).
   * Off by default: a test run killed by Ctrl-C then takes its server with it.
   */
  ownProcessGroup?: boolean;
  /** Stops waiting for the server (the caller is shutting down); the process is stopped. */
  signal?: AbortSignal;
  /** Further CLI flags, e.g. `--dynamic-config-value` for a test that needs a server limit. */
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl: string | null;
  /** The server's process id (for checks that it is gone). */
  pid: number;
  /** Settles when the process exits, however it exits: "exited with <code or signal>". */
  exited: Promise<string>;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s); safe to call more than once. */
  stop(): Promise<void>;
}

/** How often a port taken by someone else is tried again before giving up. */
const BIND_ATTEMPTS = 5;

/**
 * Starts the `temporal server start-dev` process with Cairn's search attributes registered, and
 * resolves once its gRPC frontend answers.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await pickFreePort());
    try {
      return await startOnce(options, port);
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= BIND_ATTEMPTS) throw error;
      // A fixed port (a restarted server) may be free again in a moment; a picked one is replaced.
      if (options.port !== undefined) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

class PortInUseError extends Error {}

async function startOnce(options: DevServerOptions, port: number): Promise<DevServer> {
  // A server already listening there (another launcher's) would answer the readiness check
  // before ours even fails to bind: find out first.
  if (!(await portIsFree(port))) throw new PortInUseError(`port ${port} is taken`);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--namespace', options.namespace ?? 'default', '--log-level', 'error');
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) {
    // WAL with synchronous=OFF, as Temporal's own CI runs the file-backed dev server.
    args.push('--db-filename', options.dbFile);
    args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  }
  for (const [name, type] of Object.entries(CAIRN_SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push(...(options.extraArgs ?? []));
  const child = spawn(temporalCliPath(), args, {
    stdio: ['ignore', options.output ?? 'ignore', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  // The last of its error output, to explain a failed start; passed on when asked for.
  let errorTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errorTail = (errorTail + chunk.toString()).slice(-4_000);
    if (options.output === 'inherit') process.stderr.write(chunk);
  });
  // Whatever happens to this process, the server does not outlive it.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));

  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`exited with ${code ?? signal}`)),
  );
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(child, address, options.startTimeoutMs ?? 30_000, options.signal);
  } catch (error) {
    await stopProcess(child);
    if (/address already in use/i.test(errorTail)) {
      throw new PortInUseError(`port ${port} is taken`, { cause: error });
    }
    const detail = errorTail.trim().split('\n').slice(-5).join('\n');
    if (error instanceof Error && detail) error.message += `\n${detail}`;
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    address,
    port,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    pid: child.pid!,
    exited,
    stop: () => (stopping ??= stopProcess(child)),
  };
}

async function waitUntilServing(
  child: ChildProcess,
  address: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
) {
  // Held in an object: the listeners assign it between awaits.
  const status: { exited: string | null } = { exited: null };
  child.once('exit', (code, signal) => (status.exited = `exited with ${code ?? signal}`));
  child.once('error', (error) => (status.exited = error.message));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (status.exited) throw new Error(`temporal dev server ${status.exited}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      // Answered — by this server, unless it failed to bind and another one holds the port.
      if (status.exited) throw new Error(`temporal dev server ${status.exited}`);
      return;
    } catch (error) {
      if (status.exited) throw new Error(`temporal dev server ${status.exited}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A port the kernel reports free right now. Only for a child process that must be told its port:
 * the caller retries when the child finds it taken (see startTemporalDevServer).
 */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
