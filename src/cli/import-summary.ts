import type { CustomerImportResult, EventImportResult } from '../contract/imports';
import { rowsPerSecond } from './progress-line';

/** The lines `npm run import` prints once the API has answered. Pure. */
export function importSummary(
  result: EventImportResult | CustomerImportResult,
  elapsedMs: number,
): string[] {
  const counts =
    'imported' in result
      ? `${result.imported} imported, ${result.duplicates} already stored`
      : `${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged`;
  const lines = [
    `${result.rows} rows: ${counts}, ${result.rejected} rejected ` +
      `(${(elapsedMs / 1000).toFixed(1)} s, ${rowsPerSecond(result.rows, elapsedMs)} rows/s)`,
  ];
  if ('triggersJourneys' in result && !result.triggersJourneys && result.imported > 0) {
    lines.push('imported as history: segments and scores follow, no journey starts (--trigger)');
  }
  for (const issue of result.rejectedRows) {
    lines.push(`  line ${issue.line}, ${issue.path}: ${issue.message}`);
  }
  const issueLines = new Set(result.rejectedRows.map((issue) => issue.line)).size;
  if (result.rejected > issueLines) {
    lines.push(`  … and ${result.rejected - issueLines} more rejected rows`);
  }
  return lines;
}
