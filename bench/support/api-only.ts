// Cairn's API alone on a bench database, for benchmarks of its Postgres paths (imports): the
// Temporal client points at nothing and is never called. Files are posted with node:http, which
// waits as long as the import takes (fetch gives up on an answer after 300 s).
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../../src/api/server';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';

export const BENCH_API_KEY = 'bench-key-0123456789';

export interface ApiOnly {
  baseUrl: string;
  database: DatabaseHandle;
  close(): Promise<void>;
}

export async function startApiOnly(databaseUrl: string, taskQueue: string): Promise<ApiOnly> {
  const database = await openDatabase({ url: databaseUrl });
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '500ms' });
  const api = await buildApi({
    db: database.db,
    temporal: new Client({ connection }),
    taskQueue,
    apiKeys: [BENCH_API_KEY],
    defaultTimeZone: 'UTC',
    docsUi: false,
  });
  const baseUrl = await api.listen({ host: '127.0.0.1', port: 0 });
  let closed: Promise<void> | null = null;
  const close = async () => {
    await api.close();
    await database.close();
    await connection.close().catch(() => undefined);
  };
  // Closed once the measured part is over, and again on the way out (a no-op then).
  return { baseUrl, database, close: () => (closed ??= close()) };
}

/** POSTs a streamed body with the bench key; the answer's status and text. */
export function postStream(
  url: string,
  contentType: string,
  body: Readable,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': contentType },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}
