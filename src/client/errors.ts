import type { ApiIssue } from '../contract/common';

/** Any non-2xx answer from the Cairn API. */
export class CairnApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
    readonly requestId: string | null = null,
  ) {
    super(
      `${code}: ${message}${issues.length > 0 ? ` (${issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : ''}`,
    );
    this.name = 'CairnApiError';
  }
}

/** A 400: the request was refused; `issues` name each field and the reason. */
export class CairnValidationError extends CairnApiError {
  constructor(code: string, message: string, issues: ApiIssue[], requestId: string | null) {
    super(400, code, message, issues, requestId);
    this.name = 'CairnValidationError';
  }
}
