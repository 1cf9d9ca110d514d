import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** One supported Node version, said the same in package.json, the README and the image. */
describe('the supported Node version', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

  it('is what the suite runs on', () => {
    expect(engines).toBe('>=20.19.0');
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
  });

  it('is the one the README names and the Docker image uses', () => {
    expect(read('README.md')).toContain('You need Node.js 20.19 or later');
    expect(read('Dockerfile')).toMatch(/^FROM node:20-/m);
  });
});
