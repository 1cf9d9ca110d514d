import type { RowIssue } from './row-issues';

/**
 * A CSV file's header and how its columns become the fields of a row object, so a CSV row is
 * validated by the same schema as an NDJSON row (and an API call). Column names match a known
 * field ignoring case, spaces, "-" and "_" (`customer_id`, `customerId`, `Customer ID`); a known
 * column may put its value at a nested path (`consent_sms` → consent.sms) or hold a JSON object
 * (`properties`, `attributes`); every other column is a string field of the `extras` object
 * (`properties` of an event, `attributes` of a customer), named as the header writes it. An empty
 * cell is an absent field.
 */

export interface CsvLayout {
  /** Normalised column name → where its value goes; `json` columns hold a JSON object. */
  known: Record<string, { path: string[]; json?: boolean }>;
  /** Where unknown columns go. */
  extras: string;
  /** Fields the header must have (by their path's first key). */
  required: string[];
}

/** The header breaks a rule: nothing of the file is stored. */
export class CsvHeaderError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super('the CSV header is not usable');
    this.name = 'CsvHeaderError';
  }
}

type Column = { path: string[]; json: boolean };

const normalised = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');
/** Longer than any field name the API takes (src/api/input-limits.ts propertyNameLength). */
const MAX_COLUMN_NAME = 256;

export class CsvTable {
  private readonly columns: Column[];

  constructor(header: string[], layout: CsvLayout) {
    const issues: { path: string; message: string }[] = [];
    const seen = new Set<string>();
    this.columns = header.map((raw, index) => {
      const name = raw.trim();
      const known = layout.known[normalised(name)];
      const column: Column = known
        ? { path: known.path, json: known.json === true }
        : { path: [layout.extras, name], json: false };
      const key = column.path.join('.');
      if (name === '' || name.length > MAX_COLUMN_NAME || name === '__proto__') {
        issues.push({ path: `header.${index + 1}`, message: 'must be a column name (1-256)' });
      } else if (seen.has(key)) {
        issues.push({ path: `header.${index + 1}`, message: 'names a field another column names' });
      }
      seen.add(key);
      return column;
    });
    for (const field of layout.required) {
      if (!this.columns.some((c) => c.path[0] === field)) {
        issues.push({ path: 'header', message: `must have a column for ${field}` });
      }
    }
    if (issues.length > 0) throw new CsvHeaderError(issues);
  }

  /** The row as an object of fields, or what makes it unreadable (a field count, a JSON cell). */
  object(
    line: number,
    fields: string[],
  ): { value: Record<string, unknown> } | { issues: RowIssue[] } {
    if (fields.length !== this.columns.length) {
      const message = `has ${fields.length} fields; the header has ${this.columns.length}`;
      return { issues: [{ line, path: '(row)', message }] };
    }
    const value: Record<string, unknown> = {};
    const issues: RowIssue[] = [];
    this.columns.forEach((column, index) => {
      const cell = fields[index] as string;
      if (cell === '') return;
      const parsed = column.json ? jsonObject(cell) : cell;
      if (parsed === undefined) {
        issues.push({ line, path: column.path.join('.'), message: 'must be a JSON object' });
      } else {
        place(value, column.path, parsed);
      }
    });
    return issues.length > 0 ? { issues } : { value };
  }
}

function jsonObject(cell: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(cell);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sets value at path; a JSON column and extra columns of the same object are merged. */
function place(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    const current = target[head];
    target[head] = isRecord(current) && isRecord(value) ? { ...value, ...current } : value;
    return;
  }
  const child = isRecord(target[head]) ? target[head] : {};
  target[head] = child;
  place(child, rest, value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
