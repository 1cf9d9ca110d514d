import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CAIRN_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;

/**
 * Registers Cairn's search attributes on a server that was not started with them (the
 * time-skipping test server, or a cluster set up by hand). Already registered ones are skipped.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace = 'default',
): Promise<void> {
  const existing = await registeredNames(connection, namespace);
  const missing = Object.entries(CAIRN_SEARCH_ATTRIBUTES).filter(([name]) => !existing.has(name));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map(([name, type]) => [
        name,
        type === 'Int'
          ? IndexedValueType.INDEXED_VALUE_TYPE_INT
          : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
}

async function registeredNames(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const response = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(response.customAttributes));
  } catch {
    // The time-skipping test server can add search attributes but cannot list them.
    return new Set();
  }
}
