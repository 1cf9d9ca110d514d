// Run by docs-ui.test.ts under plain Node (tsx): jest on Node 20 cannot load Swagger UI's
// ESM-only dependency, so the /docs page is checked in a child process.
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../../src/api/server';
import { openDatabase } from '../../src/db/database';

async function probe(): Promise<void> {
  const database = await openDatabase({});
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = await buildApi({
    db: database.db,
    temporal: new Client({ connection }),
    taskQueue: 'docs-probe',
    apiKeys: ['k'],
    defaultTimeZone: 'UTC',
  });
  const page = await app.inject({ url: '/docs/' });
  const spec = await app.inject({ url: '/docs/json' });
  process.stdout.write(
    JSON.stringify({
      page: page.statusCode,
      html: page.body.includes('swagger'),
      spec: spec.statusCode,
    }),
  );
  await app.close();
  await connection.close();
  await database.close();
}

void probe();
