import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { CAIRN_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { temporalCliPath } from './tools';

export interface DevServerOptions {
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** Persist state in this SQLite file (survives restarts); in memory when omitted. */
  dbFile?: string;
  namespace?: string;
  /** How long to wait for the server to answer, default 30 s. */
  startTimeoutMs?: number;
  /** Where the server's own output goes; ignored by default. */
  output?: 'inherit' | 'ignore';
  /** Further CLI flags, e.g. `--dynamic-config-value` for a test that needs a server limit. */
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Starts the `temporal server start-dev` process with Cairn's search attributes registered, and
 * resolves once its gRPC frontend answers.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
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
    stdio: ['ignore', options.output ?? 'ignore', options.output ?? 'ignore'],
  });
  const address = `127.0.0.1:${options.port}`;
  await waitUntilServing(child, address, options.startTimeoutMs ?? 30_000);
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    stop: () => stopProcess(child),
  };
}

async function waitUntilServing(child: ChildProcess, address: string, timeoutMs: number) {
  // Held in an object: the listeners assign it between awaits.
  const status: { exited: string | null } = { exited: null };
  child.once('exit', (code, signal) => (status.exited = `exited with ${code ?? signal}`));
  child.once('error', (error) => (status.exited = error.message));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (status.exited) throw new Error(`temporal dev server ${status.exited}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  child.kill('SIGKILL');
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
