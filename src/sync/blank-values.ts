/**
 * A source value that says nothing: absent, null, or a string of only white space. A blank never
 * clears a stored field — a source that lost a column, or answers an empty record, must not
 * overwrite good data with nothing.
 */
export function isBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}
