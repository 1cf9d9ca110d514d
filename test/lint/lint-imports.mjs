// Lints snippets of code as if they were files of src/ with the project's own eslint.config.mjs,
// and prints the import-rule messages for each as JSON. Run by import-rules.test.ts in a child
// process: ESLint loads its config with import(), which jest's module sandbox does not allow.
//
// stdin: [{ "filePath": "src/journeys/steps/send.ts", "code": "import … from '../../db';" }, …]
// stdout: [{ "filePath": …, "messages": [{ "ruleId": …, "message": … }] }, …]
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '../..');
process.stdin.setEncoding('utf8');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input);

// The snippets are not files of the TypeScript project: type-aware rules are off for them.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });
const results = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  results.push({
    filePath,
    messages: (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message })),
  });
}
process.stdout.write(JSON.stringify(results));
