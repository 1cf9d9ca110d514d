// Cairn in its production shape: `npm run api` (HTTP API + event router) and `npm run worker`
// as child processes configured through the environment (src/config.ts), as users run them.
// Whatever Cairn's internals become, the benchmarks measure what these two commands do.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { until } from './bench-support';

export const BENCH_API_KEY = 'bench-key-0123456789abcdef';
const REPO = path.resolve(__dirname, '../..');

export interface CairnProcesses {
  baseUrl: string;
  apiKey: string;
  taskQueue: string;
  apiPid: number;
  workerPid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Where a child's output goes: a file (the worker logs every send), named on the console. */
function logFile(script: string): number {
  const file = path.join(os.tmpdir(), `cairn-bench-${script}-${process.pid}.log`);
  console.log(`npm run ${script}: output in ${file}`);
  return openSync(file, 'w');
}

function spawnScript(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const out = logFile(script);
  // A process group of its own, so stop() ends npm and node together (by this group's id).
  return spawn('npm', ['run', '--silent', script], {
    cwd: REPO,
    env,
    stdio: ['ignore', out, out],
    detached: true,
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  });
}

export async function startCairnProcesses(options: {
  temporalAddress: string;
  databaseUrl: string;
  smtpUrl: string;
  taskQueue: string;
  extraEnv?: Record<string, string>;
}): Promise<CairnProcesses> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    SMTP_URL: options.smtpUrl,
    CAIRN_API_KEYS: BENCH_API_KEY,
    // The processes refuse to start without payload keys; one random key per bench run.
    CAIRN_PAYLOAD_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    CAIRN_PRIVACY_KEY: randomBytes(32).toString('base64'),
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    EMAIL_FROM: 'Cairn Bench <bench@cairn.test>',
    SEND_WINDOW: 'always',
    LOG_LEVEL: 'warn',
    ...options.extraEnv,
  };
  const api = spawnScript('api', env);
  const worker = spawnScript('worker', env);
  const stop = async () => {
    await Promise.all([stopGroup(api), stopGroup(worker)]);
  };
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    const exited = (child: ChildProcess, name: string) =>
      new Promise<never>((_, reject) =>
        child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`))),
      );
    await Promise.race([
      exited(api, 'npm run api'),
      exited(worker, 'npm run worker'),
      (async () => {
        await until(
          'the API to answer /health',
          async () => {
            const res = await fetch(`${baseUrl}/health`).catch(() => null);
            return res?.ok ?? false;
          },
          120_000,
        );
        await waitForPollers(options.temporalAddress, options.taskQueue);
      })(),
    ]);
    return {
      baseUrl,
      apiKey: BENCH_API_KEY,
      taskQueue: options.taskQueue,
      apiPid: api.pid!,
      workerPid: worker.pid!,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The worker is ready once it polls its task queue for workflow tasks. */
async function waitForPollers(address: string, taskQueue: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    await until(
      'the worker to poll its task queue',
      async () => {
        const answer = await client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return (answer.pollers ?? []).length > 0;
      },
      180_000,
      250,
    );
  } finally {
    await connection.close();
  }
}
