/**
 * The rows of `db.execute(sql…)`: postgres.js returns them as an array, PGlite (npm start on
 * embedded defaults) as `{ rows }`.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}
