/**
 * The value at a dotted path of a source row or answer ("user.email"); "" is the value itself.
 * Only own properties are followed, so "__proto__" or "constructor" never reach a prototype.
 */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
