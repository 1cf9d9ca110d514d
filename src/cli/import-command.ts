// `npm run import -- <file> [--kind events|customers] [--trigger] [--source <name>]`: uploads a
// CSV or NDJSON file to the API's bulk import (POST /v1/imports/events or /customers), with a
// progress bar on a terminal and a plain summary otherwise. It talks to the API, not to the
// database: the rows are checked by the same code as every API call, the API wakes its router for
// what it stored, and the command needs an API key rather than database credentials.
// CAIRN_API_URL (default http://127.0.0.1:3000) and CAIRN_API_KEY (default: the key `npm start`
// keeps in .cairn/api-key) say where. Exit code 0: imported, no row rejected; 2: imported, some
// rows rejected (listed); 1: the API refused the file or could not be reached.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorResponseSchema } from '../contract/common';
import { customerImportResultSchema, eventImportResultSchema } from '../contract/imports';
import { importSummary } from './import-summary';
import { progressLine } from './progress-line';
import { fileSize, uploadFile, type UploadCounts } from './upload-file';

class UsageError extends Error {}

const USAGE =
  'usage: npm run import -- <file.csv|file.ndjson> [--kind events|customers] [--trigger] [--source <name>]';

function contentTypeOf(file: string): string {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'text/csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'application/x-ndjson';
  throw new UsageError(`${USAGE}\nthe file must end in .csv, .ndjson or .jsonl`);
}

function apiKey(): string {
  if (process.env.CAIRN_API_KEY) return process.env.CAIRN_API_KEY;
  const dev = path.resolve(process.env.CAIRN_DEV_STATE_DIR ?? '.cairn', 'api-key');
  if (existsSync(dev)) return readFileSync(dev, 'utf8').trim();
  throw new UsageError('set CAIRN_API_KEY (or run `npm start`, which keeps one in .cairn/api-key)');
}

function requestOf(args: ReturnType<typeof parseCommand>) {
  const base = (process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const query = new URLSearchParams();
  if (args.kind === 'events') query.set('trigger', String(args.trigger));
  if (args.kind === 'events' && args.source) query.set('source', args.source);
  const search = query.toString() === '' ? '' : `?${query.toString()}`;
  return {
    url: `${base}/v1/imports/${args.kind}${search}`,
    headers: { authorization: `Bearer ${apiKey()}`, 'content-type': contentTypeOf(args.file) },
  };
}

function parseCommand(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kind: { type: 'string', default: 'events' },
      trigger: { type: 'boolean', default: false },
      source: { type: 'string' },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  if (values.kind !== 'events' && values.kind !== 'customers') {
    throw new UsageError(`${USAGE}\n--kind is events or customers`);
  }
  if (values.kind === 'customers' && (values.trigger || values.source)) {
    throw new UsageError('--trigger and --source are for events');
  }
  return { file, kind: values.kind, trigger: values.trigger, source: values.source };
}

/** Redraws the progress line on a terminal; prints nothing elsewhere (logs stay plain). */
function showProgress(counts: UploadCounts, totalBytes: number, started: number): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const draw = () =>
    process.stderr.write(
      `\r${progressLine({ ...counts, totalBytes, elapsedMs: performance.now() - started })}`,
    );
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    draw();
    process.stderr.write('\n');
  };
}

async function main(): Promise<number> {
  const args = parseCommand(process.argv.slice(2));
  const request = requestOf(args);
  const totalBytes = await fileSize(args.file);
  const counts: UploadCounts = { bytesSent: 0, rowsSent: 0 };
  const started = performance.now();
  const stop = showProgress(counts, totalBytes, started);
  let response: Response;
  try {
    response = await uploadFile(args.file, request, counts);
  } finally {
    stop();
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status !== 200) {
    const error = errorResponseSchema.safeParse(body);
    console.error(`the import was refused (${response.status})`);
    if (error.success) {
      console.error(error.data.error.message);
      for (const issue of error.data.error.issues ?? [])
        console.error(`  ${issue.path}: ${issue.message}`);
    }
    return 1;
  }
  const schema = args.kind === 'events' ? eventImportResultSchema : customerImportResultSchema;
  const result = schema.parse(body);
  for (const line of importSummary(result, performance.now() - started)) console.log(line);
  return result.rejected > 0 ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof UsageError ? error.message : `import failed: ${describe(error)}`,
    );
    process.exit(1);
  },
);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
