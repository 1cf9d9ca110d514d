/** Bulk import of customers and events from CSV or NDJSON files, streamed into Postgres. */
export { importEvents, type EventImportOptions, type EventImportOutcome } from './import-events';
export {
  importCustomers,
  type CustomerImportOptions,
  type CustomerImportOutcome,
} from './import-customers';
export { CsvHeaderError } from './csv-table';
export type { ImportFormat } from './file-rows';
export type { LimitCheck, RowRules } from './row-rules';
export { REJECTIONS_SHOWN, type RowIssue } from './row-issues';
