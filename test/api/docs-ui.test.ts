import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

describe('Swagger UI', () => {
  it('is served at /docs without a key (checked under plain Node)', async () => {
    const probe = path.join(__dirname, 'docs-ui-probe.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe], {
      cwd: path.resolve(__dirname, '../..'),
      // The probe compiles the whole API with tsx before it answers: 35 s were seen on a
      // loaded 2-core machine, so the bound is generous (it catches a hang, not slowness).
      timeout: 100_000,
    });
    expect(JSON.parse(stdout)).toEqual({ page: 200, html: true, spec: 200 });
  }, 120_000);
});
