import type { ZodError } from 'zod';

/**
 * What is wrong with one row of an import: its line, the field (a dotted path, as the API names
 * fields: `occurredAt`, `properties.total`, `consent.sms`) and the rule it breaks. Never the
 * value: a row carries addresses, names and properties.
 */
export interface RowIssue {
  line: number;
  path: string;
  message: string;
}

/** Issues named in an import's answer; the counts cover the rest. */
export const REJECTIONS_SHOWN = 100;

/** The rejected rows of an import: every one counted, the first REJECTIONS_SHOWN issues kept. */
export class Rejections {
  readonly shown: RowIssue[] = [];
  rows = 0;

  add(issues: readonly RowIssue[]): void {
    if (issues.length === 0) return;
    this.rows += 1;
    for (const issue of issues) {
      if (this.shown.length >= REJECTIONS_SHOWN) return;
      this.shown.push(issue);
    }
  }

  /** Lines Postgres refused as a whole row (an unknown customer): one issue each. */
  addLines(lines: readonly number[], count: number, path: string, message: string): void {
    this.rows += count;
    for (const line of lines) {
      if (this.shown.length >= REJECTIONS_SHOWN) return;
      this.shown.push({ line, path, message });
    }
  }

  /** The kept issues in line order (chunks are stored as they fill, not in file order). */
  sorted(): RowIssue[] {
    return [...this.shown].sort((a, b) => a.line - b.line);
  }
}

/**
 * zod's issues as row issues: the path dotted, an unrecognised key named by its path ("is not a
 * known field") rather than quoted in a message, as the API's validation errors do.
 */
export function zodRowIssues(line: number, error: ZodError, prefix: string[] = []): RowIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        line,
        path: [...base, key].join('.'),
        message: 'is not a known field',
      }));
    }
    return [{ line, path: base.join('.') || '(row)', message: issue.message }];
  });
}
