/** Which part of a message a template error came from (email, SMS, push, webhook, in-app). */
export type TemplatePart =
  'subject' | 'html' | 'text' | 'title' | 'body' | 'link' | 'data' | 'payload';

export type TemplateErrorReason =
  /** A variable the template reads is absent from the scope. */
  | 'missing_variable'
  /** A helper got a value it cannot format (a non-number for money, an empty subject, ...). */
  | 'invalid_value'
  /** The template source does not parse. */
  | 'syntax_error'
  /** The template calls something that is not one of the template helpers (such as `log`). */
  | 'unknown_helper';

/**
 * A template could not be rendered. The message names the part, the variable path as written in
 * the template and its position — never the values in the scope, which may be personal data.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(
    readonly part: TemplatePart,
    readonly reason: TemplateErrorReason,
    readonly path: string | null,
    readonly detail: string,
    readonly line: number | null = null,
    readonly column: number | null = null,
  ) {
    super(describe(part, reason, path, detail, line, column));
  }
}

/**
 * What a helper throws: it knows the variable and the problem but not which part it is rendering;
 * the renderer turns it into a TemplateError.
 */
export class TemplateValueError extends Error {
  override readonly name = 'TemplateValueError';

  constructor(
    readonly reason: TemplateErrorReason,
    readonly path: string | null,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function describe(
  part: TemplatePart,
  reason: TemplateErrorReason,
  path: string | null,
  detail: string,
  line: number | null,
  column: number | null,
): string {
  const where = line === null ? '' : ` (line ${line}, column ${column ?? 0})`;
  const named = reason === 'unknown_helper' ? ` "${path}"` : ` variable "${path}"`;
  const variable = path === null ? '' : named;
  return `template ${part}: ${reason.replace('_', ' ')}${variable}: ${detail}${where}`;
}
