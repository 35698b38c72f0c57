import type { Knex } from 'knex';
import * as createChannelsAndVideos from './001-create-channels-and-videos.ts';
import * as downloaderAndListingState from './002-downloader-and-listing-state.ts';
import * as uploaderDescriptionAndStem from './003-uploader-description-and-stem.ts';
import * as retention from './004-retention.ts';
import * as siteCooldowns from './005-site-cooldowns.ts';
import * as backfillProgress from './006-backfill-progress.ts';
import * as skipKind from './007-skip-kind.ts';
import * as duration from './008-duration.ts';
import * as missingStatus from './009-missing-status.ts';
import * as failureRetries from './010-failure-retries.ts';
import * as formatUpgrades from './011-format-upgrades.ts';
import * as siteTurns from './012-site-turns.ts';

// Migrations are listed here rather than found on disk, so they run the same from
// TypeScript sources, in the Docker image, and in tests.

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = {
  '001-create-channels-and-videos': createChannelsAndVideos,
  '002-downloader-and-listing-state': downloaderAndListingState,
  '003-uploader-description-and-stem': uploaderDescriptionAndStem,
  '004-retention': retention,
  '005-site-cooldowns': siteCooldowns,
  '006-backfill-progress': backfillProgress,
  '007-skip-kind': skipKind,
  '008-duration': duration,
  '009-missing-status': missingStatus,
  '010-failure-retries': failureRetries,
  '011-format-upgrades': formatUpgrades,
  '012-site-turns': siteTurns,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name]!,
};
