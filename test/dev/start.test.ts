import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../support/eventually';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const root = path.resolve(__dirname, '../..');

/**
 * `npm start` as a developer runs it (node --import tsx src/dev/start.ts, in a process group of
 * its own like a terminal's foreground job), on Postgres and kernel-picked ports, stopped the way
 * a developer stops it. Each run checks the output carries no stack trace and the Temporal dev
 * server it started is gone afterwards.
 */
describe('npm start', () => {
  jest.setTimeout(180_000);
  let database: TestDatabase;
  let stateDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-start-'));
  });
  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('stops cleanly on Ctrl-C: no stack trace, and its Temporal dev server is gone', async () => {
    const launcher = startLauncher();
    await eventually(() => launcher.output().includes('Cairn is running.'), {
      timeoutMs: 120_000,
      intervalMs: 200,
      describe: 'the banner "Cairn is running."',
    });
    const server = devServerPid(stateDir);
    expect(server).toEqual(expect.any(Number));

    process.kill(-launcher.child.pid!, 'SIGINT'); // Ctrl-C: the whole foreground group
    const code = await launcher.exited;

    expect(launcher.output()).toContain('cairn: interrupted, shutting down…');
    expect(launcher.output()).not.toMatch(/Error|\n\s+at /);
    expect(code).toBe(0);
    expect(alive(server!)).toBe(false);
  });

  it('stops in seconds after it has sent an email, though the SMTP pool keeps a session open', async () => {
    const launcher = startLauncher();
    await eventually(() => launcher.output().includes('Cairn is running.'), {
      timeoutMs: 120_000,
      intervalMs: 200,
      describe: 'the banner "Cairn is running."',
    });
    await sendOneEmail(launcher.output());
    await eventually(() => launcher.output().includes('cairn: mail sink stored'), {
      timeoutMs: 30_000,
      intervalMs: 100,
      describe: 'the mail sink to store the email',
    });

    const interruptedAt = Date.now();
    process.kill(-launcher.child.pid!, 'SIGINT');
    const code = await launcher.exited;

    expect(launcher.output()).not.toContain('took too long');
    expect(code).toBe(0);
    // Well inside the 20 s the launcher allows itself (the sink's idle-session grace is 1 s).
    expect(Date.now() - interruptedAt).toBeLessThan(10_000);
  });

  it('stops what it started when SIGTERM arrives during startup', async () => {
    const launcher = startLauncher();
    const server = await eventually(() => devServerPid(stateDir), {
      timeoutMs: 60_000,
      intervalMs: 100,
      describe: 'the launcher to start its Temporal dev server',
    });

    process.kill(-launcher.child.pid!, 'SIGTERM');
    const code = await launcher.exited;

    expect(launcher.output()).not.toContain('Cairn is running.');
    expect(launcher.output()).not.toMatch(/Error|\n\s+at /);
    expect(code).toBe(0);
    expect(alive(server)).toBe(false);
  });

  it('says in one line why a start failed half-way, and leaves no dev server behind', async () => {
    // The API's port is taken (by this test, for as long as the launcher runs).
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const launcher = startLauncher({ API_PORT: String(port) });
      const code = await launcher.exited;

      expect(code).toBe(1);
      expect(launcher.output()).toContain(
        `cairn: could not start: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      );
      expect(launcher.output()).not.toMatch(/\n\s+at /);
      expect(devServerPid(stateDir)).toBeNull();
    } finally {
      holder.close();
    }
  });

  function startLauncher(env: Record<string, string> = {}) {
    const inherited = { ...process.env };
    for (const name of ['TEMPORAL_ADDRESS', 'SMTP_URL', 'CAIRN_API_KEYS', 'LOG_LEVEL']) {
      delete inherited[name];
    }
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
      cwd: root,
      detached: true, // a process group of its own, as a terminal gives a foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        DATABASE_URL: database.url,
        CAIRN_DEV_STATE_DIR: stateDir,
        CAIRN_DEV_PORTS: 'auto',
        API_PORT: '0',
        ...env,
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
    });
    return { child, exited, output: () => output };
  }
});

/** A transactional one-step journey (no quiet hours) and the event that starts it. */
async function sendOneEmail(banner: string): Promise<void> {
  const api = /API\s+(http:\/\/\S+\/v1)/.exec(banner)?.[1];
  const key = /API key\s+(\S+)/.exec(banner)?.[1];
  if (!api || !key) throw new Error('the banner names no API URL or key');
  const call = async (method: string, route: string, body: unknown) => {
    const response = await fetch(`${api}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
  };
  await call('POST', '/journeys', {
    id: 'ping',
    name: 'Ping',
    trigger: { event: 'ping' },
    entry: 'pong',
    steps: [
      {
        id: 'pong',
        type: 'send',
        kind: 'transactional',
        channel: 'email',
        content: { subject: 'Pong', html: '<p>Pong</p>' },
      },
    ],
  });
  await call('PUT', '/customers/cust-ping', { email: 'ping@example.test' });
  await call('POST', '/events', { id: 'evt-ping', customerId: 'cust-ping', type: 'ping' });
}

/** The dev server the launcher started: the temporal process that keeps its state in stateDir. */
function devServerPid(stateDir: string): number | null {
  const table = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const line = table
    .split('\n')
    .find((row) => row.includes('start-dev') && row.includes(path.join(stateDir, 'temporal.db')));
  return line ? Number(line.trim().split(/\s+/)[0]) : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
