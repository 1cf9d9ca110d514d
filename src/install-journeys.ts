// `npm run journeys:install`: publishes the built-in scores, segments and journeys into the production database, as
// `npm start` does for the embedded one. Safe to run again; journeys that exist are left alone.
import { installBuiltInSegments } from './audience';
import { installBuiltInJourneys } from './catalogue/install-built-ins';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { requireSetting } from './runtime/require-setting';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ url: requireSetting('DATABASE_URL', config.databaseUrl) });
  try {
    // Segments first: the re-engagement journey starts on entering inactive_30d.
    const segments = await installBuiltInSegments(database.db);
    console.log(
      segments.length > 0
        ? `installed built-in segments: ${segments.join(', ')}`
        : 'every built-in segment is installed already',
    );
    const installed = await installBuiltInJourneys(database.db);
    console.log(
      installed.length > 0
        ? `installed built-in journeys: ${installed.join(', ')}`
        : 'every built-in journey is installed already',
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
