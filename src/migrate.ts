import { loadSettings, type Settings } from './config/settings.ts';
import { connectDb, migrate, sqlitePath } from './db/connect.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { createLogger } from './log.ts';

// `npm run migrate`: brings the configured database (DATABASE_URL, else the SQLite file in
// PARKER_DATA_DIR) up to date and logs which migrations it applied. Workers migrate at
// start too; this is for a deploy that wants the schema in place before any of them runs,
// or an operator who wants to see what a new version changes.

/** The database, named for a log line: MySQL by host and database, never with its password. */
function databaseName(settings: Settings): string {
  if (!settings.databaseUrl) return sqlitePath(settings.dataDir);
  const url = new URL(settings.databaseUrl);
  return `MySQL ${url.host}${url.pathname}`;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings.logLevel, { format: settings.logFormat });
  const db = connectDb(settings.databaseUrl, settings.dataDir, log);
  try {
    const applied = await migrate(db);
    const database = databaseName(settings);
    log.info(
      { database, applied },
      applied.length > 0 ? `applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to ${database}` : `${database} is up to date`,
    );
  } finally {
    await db.destroy();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker migrate', main);
