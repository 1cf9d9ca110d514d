import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * The folder import rules of eslint.config.mjs, shown on small snippets linted as if they were
 * files of src/ (the snippets never exist as files, so `eslint .` never sees them). Each rule
 * has a snippet that breaks it, which must be reported, and one that keeps it, which must not.
 */
interface LintCase {
  name: string;
  filePath: string;
  code: string;
  /** A phrase of the expected message; null when the import is allowed. */
  reported: string | null;
}

const JOURNEYS = 'src/journeys is pure and imports nothing of ours outside src/journeys';
const WORKFLOWS = 'src/workflows imports src/journeys, and src/activities with `import type` only';
const ACTIVITIES = 'src/activities runs on the worker';
const API = 'Nothing imports src/api but src/dev';
const DEV = 'Nothing imports src/dev';
const CLIENT_ONLY = 'src/client ships to users’ backends and imports only src/contract';
const CLIENT = 'Nothing in src/ imports src/client';
const CONTRACT = 'src/contract holds request and response schemas and imports nothing of ours';
const CUSTOMERS = 'src/customers is read by api, routing and activities';
const DELIVERIES = 'src/deliveries owns the ledger beneath the send activity';
const CODEC = 'src/codec is the payload codec and imports nothing of ours';
const SEGMENTS = 'src/segments is the pure segment language';
const AUDIENCE = 'src/audience keeps segment membership live';
const SCORES = 'src/scores is the pure score language';
const LIFECYCLE = 'src/lifecycle holds the pure profile rules and lifecycle stages';
const SYNC = 'src/sync reads external sources into profiles';

const cases: LintCase[] = [
  // src/sync writes through src/customers, stores no events, and never imports api or activities.
  {
    name: 'sync → api',
    filePath: 'src/sync/manage-sources.ts',
    code: "import { ApiError } from '../api/errors';",
    reported: API,
  },
  {
    name: 'sync → routing',
    filePath: 'src/sync/apply-page.ts',
    code: "import { recordEvents } from '../routing/record-events';",
    reported: SYNC,
  },
  {
    name: 'sync → activities',
    filePath: 'src/sync/run-source-sync.ts',
    code: "import { createActivities } from '../activities';",
    reported: ACTIVITIES,
  },
  {
    name: 'sync → customers',
    filePath: 'src/sync/apply-page.ts',
    code: "import { lockProfiles } from '../customers';",
    reported: null,
  },
  // src/segments is pure and imports only src/journeys; src/audience never imports workflows.
  {
    name: 'segments → db',
    filePath: 'src/segments/evaluate.ts',
    code: "import { events } from '../db/schema';",
    reported: SEGMENTS,
  },
  {
    name: 'segments → journeys',
    filePath: 'src/segments/schema.ts',
    code: "import { parseDuration } from '../journeys/durations';",
    reported: null,
  },
  // src/scores is pure and imports only src/journeys; src/segments may read it.
  {
    name: 'scores → db',
    filePath: 'src/scores/decay.ts',
    code: "import { events } from '../db/schema';",
    reported: SCORES,
  },
  {
    name: 'scores → segments',
    filePath: 'src/scores/schema.ts',
    code: "import { eventTypeSchema } from '../segments/schema';",
    reported: SCORES,
  },
  {
    name: 'scores → journeys, segments → scores',
    filePath: 'src/segments/evaluate.ts',
    code: "import { scoreAt } from '../scores/decay';",
    reported: null,
  },
  {
    name: 'scores → journeys',
    filePath: 'src/scores/decay.ts',
    code: "import { evaluateCondition } from '../journeys/conditions';",
    reported: null,
  },
  // src/lifecycle is pure and imports only src/journeys and src/segments.
  {
    name: 'lifecycle → db',
    filePath: 'src/lifecycle/stages.ts',
    code: "import { customerLifecycle } from '../db/schema';",
    reported: LIFECYCLE,
  },
  {
    name: 'lifecycle → a Node built-in (determinism)',
    filePath: 'src/lifecycle/profile-rules.ts',
    code: "import { randomUUID } from 'node:crypto';",
    reported: 'Workflow code must be deterministic.',
  },
  {
    name: 'lifecycle → segments and journeys',
    filePath: 'src/lifecycle/stages.ts',
    code: "import { segmentConditionSchema } from '../segments/schema';\nimport { parseDuration } from '../journeys/durations';",
    reported: null,
  },
  {
    name: 'audience → workflows',
    filePath: 'src/audience/live-membership.ts',
    code: "import { journeyWorkflow } from '../workflows';",
    reported: AUDIENCE,
  },
  {
    name: 'audience → routing and segments',
    filePath: 'src/audience/membership-changes.ts',
    code: "import { recordEvents } from '../routing';\nimport { segmentIdSchema } from '../segments/schema';",
    reported: null,
  },
  {
    name: 'contract → segments',
    filePath: 'src/contract/segments.ts',
    code: "import { segmentDefinitionSchema } from '../segments/schema';",
    reported: null,
  },
  // src/journeys imports nothing of ours outside src/journeys.
  {
    name: 'journeys → db',
    filePath: 'src/journeys/steps/send.ts',
    code: "import { db } from '../../db/database';",
    reported: JOURNEYS,
  },
  {
    name: 'journeys → activities, a type',
    filePath: 'src/journeys/interpreter.ts',
    code: "import type { JourneyActivities } from '../activities';",
    reported: JOURNEYS,
  },
  {
    name: 'journeys re-exports from db',
    filePath: 'src/journeys/index.ts',
    code: "export { customers } from '../db/schema';",
    reported: JOURNEYS,
  },
  {
    name: 'journeys → journeys, from a step module',
    filePath: 'src/journeys/steps/send.ts',
    code: "import { evaluate } from '../conditions';\nimport { wait } from './wait';",
    reported: null,
  },
  {
    name: 'journeys → zod',
    filePath: 'src/journeys/schema.ts',
    code: "import { z } from 'zod';",
    reported: null,
  },
  // src/workflows imports src/journeys and activity types only.
  {
    name: 'workflows → activities, a value',
    filePath: 'src/workflows/journey.ts',
    code: "import { createActivities } from '../activities';",
    reported: WORKFLOWS,
  },
  {
    name: 'workflows → db, even a type',
    filePath: 'src/workflows/journey.ts',
    code: "import type { Database } from '../db/database';",
    reported: WORKFLOWS,
  },
  {
    name: 'workflows → activity types, journeys and its own files',
    filePath: 'src/workflows/journey.ts',
    code: [
      "import type { JourneyActivities } from '../activities';",
      "import { advance } from '../journeys/interpreter';",
      "import { eventSignal } from './messages';",
    ].join('\n'),
    reported: null,
  },
  {
    name: 'workflows → a Node built-in (determinism)',
    filePath: 'src/workflows/journey.ts',
    code: "import { readFileSync } from 'node:fs';",
    reported: 'Workflow code must be deterministic.',
  },
  // src/api never imports src/activities.
  {
    name: 'api → activities',
    filePath: 'src/api/routes/runs.ts',
    code: "import { createActivities } from '../../activities';",
    reported: ACTIVITIES,
  },
  {
    name: 'api → activities, a type',
    filePath: 'src/api/server.ts',
    code: "import type { SendMessageRequest } from '../activities';",
    reported: ACTIVITIES,
  },
  {
    name: 'api → routing, db and workflow messages',
    filePath: 'src/api/routes/events.ts',
    code: [
      "import { recordEvents } from '../../routing';",
      "import { events } from '../../db/schema';",
      "import { eventSignal } from '../../workflows/messages';",
    ].join('\n'),
    reported: null,
  },
  {
    name: 'runtime → activities (the worker wiring)',
    filePath: 'src/runtime/activity-deps.ts',
    code: "import { createActivities } from '../activities';",
    reported: null,
  },
  {
    name: 'guardrails → activities',
    filePath: 'src/guardrails/frequency-caps.ts',
    code: "import type { DeliveryRow } from '../activities/delivery-ledger';",
    reported: ACTIVITIES,
  },
  // Nothing imports src/api or src/dev.
  {
    name: 'routing → api',
    filePath: 'src/routing/route-event.ts',
    code: "import { buildApi } from '../api/server';",
    reported: API,
  },
  {
    name: 'a root file → api',
    filePath: 'src/worker.ts',
    code: "import { buildApi } from './api/server';",
    reported: API,
  },
  {
    name: 'dev → api (npm start assembles the stack)',
    filePath: 'src/dev/embedded-stack.ts',
    code: "import { buildApi } from '../api/server';",
    reported: null,
  },
  {
    name: 'api → api, from a route',
    filePath: 'src/api/routes/runs.ts',
    code: "import { sendError } from '../errors';",
    reported: null,
  },
  {
    name: 'runtime → dev',
    filePath: 'src/runtime/journey-worker.ts',
    code: "import { temporalCliPath } from '../dev/tools';",
    reported: DEV,
  },
  {
    name: 'dev → dev',
    filePath: 'src/dev/start.ts',
    code: "import { startCairn } from './embedded-stack';",
    reported: null,
  },
  // src/client imports only src/contract, and src/ does not import src/client.
  {
    name: 'client → journeys',
    filePath: 'src/client/cairn-client.ts',
    code: "import { journeyDefinitionSchema } from '../journeys/schema';",
    reported: CLIENT_ONLY,
  },
  {
    name: 'client → contract and its own files',
    filePath: 'src/client/cairn-client.ts',
    code: "import { runSchema } from '../contract/runs';\nimport { CairnError } from './errors';",
    reported: null,
  },
  {
    name: 'api → client',
    filePath: 'src/api/routes/runs.ts',
    code: "import { runSchema } from '../../client/schemas/runs';",
    reported: CLIENT,
  },
  {
    name: 'api → contract',
    filePath: 'src/api/routes/runs.ts',
    code: "import { runSchema } from '../../contract/runs';",
    reported: null,
  },
  // src/codec imports nothing of ours: workers and clients import it.
  {
    name: 'codec → db',
    filePath: 'src/codec/encryption-codec.ts',
    code: "import { openDatabase } from '../db/database';",
    reported: CODEC,
  },
  {
    name: 'codec → its own files',
    filePath: 'src/codec/data-converter.ts',
    code: "import { EncryptionCodec } from './encryption-codec';",
    reported: null,
  },
  {
    name: 'api → codec',
    filePath: 'src/api/routes/codec.ts',
    code: "import { EncryptionCodec } from '../../codec';",
    reported: null,
  },
  // src/contract imports nothing of ours but the journey language.
  {
    name: 'contract → db',
    filePath: 'src/contract/deliveries.ts',
    code: "import type { DeliveryStatus } from '../db/schema';",
    reported: CONTRACT,
  },
  {
    name: 'contract → routing',
    filePath: 'src/contract/events.ts',
    code: "import { recordEvents } from '../routing';",
    reported: CONTRACT,
  },
  {
    name: 'contract → zod, the journey schema and its own files',
    filePath: 'src/contract/journeys.ts',
    code: [
      "import { z } from 'zod';",
      "import { journeyDefinitionSchema } from '../journeys/schema';",
      "import { errorSchema } from './common';",
    ].join('\n'),
    reported: null,
  },
  // src/customers and src/deliveries sit beneath api, activities and workflows.
  {
    name: 'customers → api',
    filePath: 'src/customers/profile.ts',
    code: "import type { ApiDeps } from '../api/deps';",
    reported: API,
  },
  {
    name: 'customers → activities',
    filePath: 'src/customers/profile.ts',
    code: "import { createActivities } from '../activities';",
    reported: ACTIVITIES,
  },
  {
    name: 'customers → workflows',
    filePath: 'src/customers/profile.ts',
    code: "import { stateQuery } from '../workflows/messages';",
    reported: CUSTOMERS,
  },
  {
    name: 'customers → db and journeys',
    filePath: 'src/customers/profile.ts',
    code: "import { customers } from '../db/schema';\nimport type { Profile } from '../journeys/run-types';",
    reported: null,
  },
  {
    name: 'deliveries → workflows',
    filePath: 'src/deliveries/ledger.ts',
    code: "import { eventSignal } from '../workflows/messages';",
    reported: DELIVERIES,
  },
  {
    name: 'deliveries → activities',
    filePath: 'src/deliveries/ledger.ts',
    code: "import type { SendMessageRequest } from '../activities';",
    reported: ACTIVITIES,
  },
  {
    name: 'deliveries → db',
    filePath: 'src/deliveries/ledger.ts',
    code: "import { deliveries } from '../db/schema';",
    reported: null,
  },
];

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

function lint(input: { filePath: string; code: string }[]): Promise<LintResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(__dirname, 'lint-imports.mjs')],
      { maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`lint-imports.mjs failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as LintResult[]);
      },
    );
    child.stdin?.end(JSON.stringify(input));
  });
}

describe('the folder import rules (eslint.config.mjs)', () => {
  let results: LintResult[];

  beforeAll(async () => {
    results = await lint(cases.map(({ filePath, code }) => ({ filePath, code: `${code}\n` })));
  });

  it.each(cases.map((c, index) => [c.name, index] as const))('%s', (_name, index) => {
    const { reported } = cases[index]!;
    const messages = results[index]!.messages.filter(
      (m) => m.ruleId === 'no-restricted-imports',
    ).map((m) => m.message);
    if (reported === null) expect(messages).toEqual([]);
    else expect(messages).toEqual([expect.stringContaining(reported)]);
  });
});
