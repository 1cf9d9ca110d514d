import { evaluateStages, requestProfileChecks } from '../audience';
import { lockProfiles } from '../customers';
import {
  STAGED_CUSTOMERS_COLUMNS,
  STAGED_CUSTOMERS_DDL,
  STAGED_CUSTOMERS_TABLE,
  upsertStagedCustomers,
} from '../customers/upsert-staged-customers';
import type { Database } from '../db/database';
import type { SyncRunIssue } from '../db/schema';
import { fillStaging } from '../imports/staging';
import type { IdentifierKey } from '../privacy/identifier-hash';
import { refusedImportRows } from '../privacy/import-admission';
import type { FieldClaim } from './field-provenance';
import { readProvenance, writeProvenance } from './field-provenance';
import { foldRows, resolveRow, type SourceRank } from './resolve-row';
import type { SyncedRow } from './row-validation';
import { advanceCursor } from './source-store';
import { recordPage, type PageTally } from './sync-runs';

export interface PageWrite {
  runId: string;
  source: SourceRank;
  /** The page's rows that passed validation, in source order. */
  rows: readonly SyncedRow[];
  /** The page's rows refused before the write (mapping and validation). */
  issues: SyncRunIssue[];
  rowsRead: number;
  /** Where the source stands once this page is stored. */
  cursorAfter: string;
  newestRowAt: Date | null;
  now: Date;
}

export interface PageSettings {
  identifierKey?: IdentifierKey;
  emailMarketingDefault: 'opted_in' | 'opted_out';
}

/**
 * Stores one page of a source in one transaction: the conflict rules decide per field against
 * the locked profiles and their provenance, the customers owner's staged upsert writes every
 * change of the page in one statement, the provenance follows in one more, and the cursor and
 * the run's counts move in the same commit — so a cursor never passes rows that were not stored.
 * A row naming an erased customer, or an erased email or phone, is refused as a bulk import
 * refuses it (no sync brings an erased customer back).
 */
export async function applyPage(
  db: Database,
  page: PageWrite,
  settings: PageSettings,
): Promise<PageTally> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await storePage(db, page, settings);
    } catch (error) {
      if (!(error instanceof CreatedMeanwhile) || attempt >= MAX_PAGE_ATTEMPTS) throw error;
    }
  }
}

/**
 * A customer the page took for new was created by someone else before the page's insert: the
 * page's change would land on it with PUT's meaning, past the conflict rules. The transaction is
 * rolled back and the page stored again, now seeing that customer locked.
 */
class CreatedMeanwhile extends Error {}
const MAX_PAGE_ATTEMPTS = 3;

function storePage(db: Database, page: PageWrite, settings: PageSettings): Promise<PageTally> {
  const rows = foldRows(page.rows);
  return db.transaction(async (tx) => {
    const refused = await refusedImportRows(
      tx,
      settings.identifierKey,
      rows.map((row, line) => ({ line, id: row.id, ...identifiersOf(row) })),
    );
    const refusedLines = new Set(refused.map((r) => r.line));
    const admitted = rows.filter((_row, line) => !refusedLines.has(line));
    const ids = admitted.map((row) => row.id);
    const [profiles, provenance] = [await lockProfiles(tx, ids), await readProvenance(tx, ids)];
    const staged: [number, string, string][] = [];
    const claims: FieldClaim[] = [];
    admitted.forEach((row, line) => {
      const stored = profiles.get(row.id) ?? null;
      const resolved = resolveRow(
        page.source,
        row,
        stored,
        provenance.get(row.id) ?? new Map(),
        page.now,
      );
      claims.push(...resolved.claims.map((claim) => ({ customerId: row.id, ...claim })));
      if (!stored || Object.keys(resolved.change).length > 0) {
        staged.push([line, row.id, JSON.stringify(resolved.change)]);
      }
    });
    await tx.execute(STAGED_CUSTOMERS_DDL);
    await fillStaging(tx, STAGED_CUSTOMERS_TABLE, STAGED_CUSTOMERS_COLUMNS, staged);
    const outcome = await upsertStagedCustomers(tx, page.now, page.source.id);
    const created = new Set(outcome.created);
    if (admitted.some((row) => !profiles.has(row.id) && !created.has(row.id))) {
      throw new CreatedMeanwhile();
    }
    const changed = [...outcome.created, ...outcome.updated];
    await requestProfileChecks(tx, changed, page.now);
    if (outcome.created.length > 0) {
      await evaluateStages(tx, outcome.created, {
        now: page.now,
        emailMarketingDefault: settings.emailMarketingDefault,
      });
    }
    await writeProvenance(tx, page.source, claims, page.now);
    const issues = [
      ...page.issues,
      ...refused.map((r) => ({ key: rows[r.line]!.id, field: r.field, message: r.message })),
    ];
    const rowsRejected = page.rowsRead - page.rows.length + refused.length;
    const tally: PageTally = {
      rowsRead: page.rowsRead,
      rowsWritten: changed.length,
      // Rows of one customer in a page are folded into one write: they count as one written.
      rowsUnchanged: Math.max(0, page.rowsRead - rowsRejected - changed.length),
      rowsRejected,
      issues,
      cursorAfter: page.cursorAfter,
    };
    await advanceCursor(tx, page.source.id, page.cursorAfter, page.newestRowAt);
    await recordPage(tx, page.runId, tally);
    return tally;
  });
}

function identifiersOf(row: SyncedRow): { email?: string; phone?: string } {
  const email = row.fields.get('email');
  const phone = row.fields.get('phone');
  return {
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof phone === 'string' ? { phone } : {}),
  };
}
