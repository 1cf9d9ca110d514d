import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * `npm run api` in production refuses to start without API keys (it would refuse every request),
 * saying so in one line, before it opens any connection.
 */

const root = path.resolve(__dirname, '../..');

function startApi(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/api/main.ts'], {
      cwd: root,
      // Only what is given: no DATABASE_URL or TEMPORAL_ADDRESS from the test's own environment.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('npm run api in production', () => {
  it.each([
    ['unset', {}],
    ['blank', { CAIRN_API_KEYS: ' , ' }],
  ])('refuses to start with CAIRN_API_KEYS %s, naming the variable', async (_case, keys) => {
    const { code, stderr } = await startApi({ NODE_ENV: 'production', ...keys });
    expect(code).toBe(1);
    expect(stderr).toContain('CAIRN_API_KEYS is required when NODE_ENV=production');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('gets past the check with a key (and stops at the next missing setting)', async () => {
    const { code, stderr } = await startApi({ NODE_ENV: 'production', CAIRN_API_KEYS: 'k-1' });
    expect(code).toBe(1);
    expect(stderr).not.toContain('CAIRN_API_KEYS');
    expect(stderr).toContain('DATABASE_URL is required');
  });
});
