import { evaluateStages, requestProfileChecks } from '../audience';
import {
  STAGED_CUSTOMERS_COLUMNS,
  STAGED_CUSTOMERS_DDL,
  STAGED_CUSTOMERS_TABLE,
  upsertStagedCustomers,
} from '../customers/upsert-staged-customers';
import type { Database } from '../db/database';
import { lockConsentForChanges } from '../guardrails/consent-gate';
import type { IdentifierKey } from '../privacy/identifier-hash';
import { refusedImportRows } from '../privacy/import-admission';
import { ChunkPipeline } from './chunk-pipeline';
import { CUSTOMER_CSV_LAYOUT, customerRow, type StagedCustomer } from './customer-rows';
import { fileRows, type FileBody, type ImportFormat } from './file-rows';
import { Rejections, type RowIssue } from './row-issues';
import type { LimitCheck } from './row-rules';
import { fillStaging } from './staging';

export interface CustomerImportOptions {
  format: ImportFormat;
  limits: LimitCheck;
  now: Date;
  /** Marketing email for a customer who made no choice, for the stage a new customer gets. */
  emailMarketingDefault: 'opted_in' | 'opted_out';
  /** Rows per chunk, each in a transaction of its own. Default 2,000 (see below). */
  chunkRows?: number;
  /** The key erased identifiers are hashed with; without it only erased ids are refused. */
  identifierKey?: IdentifierKey;
}

export interface CustomerImportOutcome {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejectedRows: RowIssue[];
}

/**
 * A consent change takes an advisory lock per customer until its transaction ends, and each takes
 * a slot of Postgres's shared lock table (64 per connection by default): chunks stay small.
 */
const DEFAULT_CHUNK_ROWS = 2_000;
const MAX_ROW_CHARS = 1024 * 1024;

/**
 * Customers from a CSV or NDJSON file as it streams in, each row checked as PUT /v1/customers/{id}
 * checks a body (customer-rows.ts) and refused rows reported by line and field. Good rows are
 * stored a chunk at a time, each chunk one transaction doing what PUT does for one customer:
 * consent locks (a change waits for sends on their way), the upsert (src/customers), then the
 * segments and lifecycle stage that read the profile asked to look again, and a new customer
 * given its first stage. Idempotent by id: a row that changes nothing is a no-op.
 */
export async function importCustomers(
  db: Database,
  body: FileBody,
  options: CustomerImportOptions,
): Promise<CustomerImportOutcome> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const rejections = new Rejections();
  const totals = { rows: 0, created: 0, updated: 0, unchanged: 0 };
  // One chunk at a time: a customer repeated in a later chunk merges after the earlier one.
  const pipeline = new ChunkPipeline(1);
  let chunk: StagedCustomer[] = [];
  let ids = new Set<string>();
  const submit = async () => {
    const full = chunk;
    chunk = [];
    ids = new Set();
    await pipeline.submit(async () => {
      const outcome = await storeChunk(db, full, options);
      for (const refused of outcome.refused) {
        rejections.add([{ line: refused.line, path: refused.field, message: refused.message }]);
      }
      const stored = full.length - outcome.refused.length;
      totals.created += outcome.created.length;
      totals.updated += outcome.updated.length;
      totals.unchanged += stored - outcome.created.length - outcome.updated.length;
    });
  };
  for await (const batch of fileRows(body, options.format, CUSTOMER_CSV_LAYOUT, MAX_ROW_CHARS)) {
    for (const row of batch) {
      totals.rows += 1;
      const checked = 'issues' in row ? row : customerRow(row.line, row.value, options.limits);
      if ('issues' in checked) {
        rejections.add(checked.issues);
        continue;
      }
      // A chunk holds each id once: a later row of the same customer merges into what the
      // earlier one stored, in file order.
      if (ids.has(checked.customer.id) || chunk.length >= chunkRows) await submit();
      chunk.push(checked.customer);
      ids.add(checked.customer.id);
    }
  }
  if (chunk.length > 0) await submit();
  await pipeline.finish();
  return { ...totals, rejected: rejections.rows, rejectedRows: rejections.sorted() };
}

function storeChunk(db: Database, chunk: StagedCustomer[], options: CustomerImportOptions) {
  return db.transaction(async (tx) => {
    // No file brings an erased customer back: those rows are rejected, the others stored.
    const refused = await refusedImportRows(tx, options.identifierKey, chunk);
    const lines = new Set(refused.map((r) => r.line));
    const rows = chunk.filter((row) => !lines.has(row.line));
    await lockConsentForChanges(
      tx,
      rows.filter((row) => row.changesConsent).map((row) => row.id),
    );
    await tx.execute(STAGED_CUSTOMERS_DDL);
    await fillStaging(
      tx,
      STAGED_CUSTOMERS_TABLE,
      STAGED_CUSTOMERS_COLUMNS,
      rows.map((row) => [row.line, row.id, row.change]),
    );
    const outcome = await upsertStagedCustomers(tx, options.now);
    await requestProfileChecks(tx, [...outcome.created, ...outcome.updated], options.now);
    if (outcome.created.length > 0) {
      await evaluateStages(tx, outcome.created, {
        now: options.now,
        emailMarketingDefault: options.emailMarketingDefault,
      });
    }
    return { ...outcome, refused };
  });
}
