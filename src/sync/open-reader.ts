import type { SourceConfig } from '../contract/sources';
import { httpSource } from './http-source';
import { postgresSource } from './postgres-source';
import { secretFrom, type SourceReader } from './source-reader';

export type SourceEnv = Readonly<Record<string, string | undefined>>;

/** The reader of a source's connector, its secrets read from the worker's environment now. */
export function openReader(
  config: SourceConfig,
  env: SourceEnv,
  fetchImpl?: typeof fetch,
): SourceReader {
  const connector = config.connector;
  if (connector.kind === 'postgres') {
    return postgresSource({
      url: secretFrom(env, connector.connection.env),
      query: connector.query,
      cursorField: config.cursor.field,
      cursorType: config.cursor.type,
      pageSize: config.pageSize,
    });
  }
  return httpSource({
    url: connector.url,
    ...(connector.token ? { token: secretFrom(env, connector.token.env) } : {}),
    cursorParam: connector.cursorParam,
    rowsPath: connector.rowsPath,
    ...(connector.nextCursorPath ? { nextCursorPath: connector.nextCursorPath } : {}),
    cursorField: config.cursor.field,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** Where a source's first run starts. */
export function initialCursor(cursor: SourceConfig['cursor']): string {
  if (cursor.initial !== undefined) return cursor.initial;
  if (cursor.type === 'time') return '1970-01-01T00:00:00Z';
  if (cursor.type === 'number') return '-2147483648';
  return '';
}
