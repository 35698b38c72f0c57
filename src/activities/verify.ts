import { Context } from '@temporalio/activity';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MISSING_POLICY, loadChannelList } from '../config/channels.ts';
import type { Db } from '../db/connect.ts';
import { listRecordedFiles, markFound, markMissing, recordedAmong, type RecordedFile } from '../db/verify.ts';
import { ByteThrottle } from '../library/byte-throttle.ts';
import { fileSha256 } from '../library/file-sha256.ts';
import { checkRecordedFile, mediaFilesBySize } from '../library/verify-files.ts';
import { redownloadWorkflowId } from '../naming/workflow-ids.ts';
import { MAX_LISTED_FINDINGS, type ChannelVerifyPlan, type ChannelVerifyResult, type MissingPolicy, type VerifiedVideo } from '../shared/maintenance.ts';
import { translatingErrors } from './failures.ts';

// The verify step's I/O: each downloaded file checked for presence and size (and sha256
// on request, throttled), a missing one looked for inside the download folder by its
// sha256 (a file moved by hand), else its row marked `missing`. Nothing outside the
// download folder is read, and nothing on disk is ever changed: only rows are.

/** Hashing reads at most this many bytes a second unless PARKER_VERIFY_BYTES_PER_SECOND says otherwise. */
export const DEFAULT_VERIFY_BYTES_PER_SECOND = 32 * 1024 * 1024;

const PAGE = 200;

export interface VerifyActivityDeps {
  db: Db;
  /** Absolute; nothing outside it is read. */
  downloadDir: string;
  configPath: string;
  verifyBytesPerSecond?: number;
}

/** Where the verify of a channel is, sent as heartbeat details so a retry goes on from there. */
interface VerifyProgress extends ChannelVerifyResult {
  afterId: number;
}

export function createVerifyActivities({ db, downloadDir, configPath, verifyBytesPerSecond = DEFAULT_VERIFY_BYTES_PER_SECOND }: VerifyActivityDeps) {
  return {
    /** Every channel of channels.yaml with its `missing:` policy; none when there is no file. */
    async loadVerifyPlan(): Promise<ChannelVerifyPlan[]> {
      return translatingErrors(async () => {
        if (!existsSync(configPath)) return [];
        const list = await loadChannelList(configPath);
        return list.channels.map((channel) => ({
          channel: channel.name,
          missing: channel.missing ?? DEFAULT_MISSING_POLICY,
          ...(channel.download ? { download: channel.download } : {}),
        }));
      });
    },

    /**
     * Checks the channel's downloaded files. A dry run changes no row. Long: it
     * heartbeats after every file and every MiB hashed, and a retry resumes after the
     * last row it finished.
     */
    async verifyChannelFiles(input: { channel: string; missing: MissingPolicy; sha256?: boolean; dryRun?: boolean }): Promise<ChannelVerifyResult> {
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as VerifyProgress | undefined;
      const progress: VerifyProgress = resumed ?? { afterId: 0, checked: 0, counts: { moved: 0, missing: 0, changed: 0, outside: 0 }, found: [], redownload: [] };
      const beat = () => context.heartbeat(progress);
      const throttle = new ByteThrottle(verifyBytesPerSecond, context.cancellationSignal);
      const write = input.dryRun !== true;
      let mediaBySize: Map<number, string[]> | undefined;

      /** A file inside the download folder that no row records, with this row's size and sha256. */
      async function findMoved(row: RecordedFile): Promise<string | undefined> {
        if (row.bytes === undefined || !row.sha256) return undefined;
        mediaBySize ??= await mediaFilesBySize(downloadDir, beat);
        const candidates = mediaBySize.get(row.bytes) ?? [];
        // Rows record paths under DOWNLOAD_DIR as written; the walk gives real paths.
        const realRoot = await realpath(downloadDir);
        const asRecorded = (file: string) => path.join(downloadDir, path.relative(realRoot, file));
        const owned = await recordedAmong(db, [...candidates, ...candidates.map(asRecorded)]);
        for (const candidate of candidates) {
          if (owned.has(candidate) || owned.has(asRecorded(candidate))) continue;
          if ((await fileSha256(candidate, throttle, beat)) !== row.sha256) continue;
          // Taken: another row with the same bytes must not claim it too.
          mediaBySize.set(row.bytes, candidates.filter((file) => file !== candidate));
          return asRecorded(candidate);
        }
        return undefined;
      }

      async function verify(row: RecordedFile): Promise<VerifiedVideo | undefined> {
        const seen = { id: row.id, externalId: row.externalId, filePath: row.filePath };
        const check = await checkRecordedFile(downloadDir, row.filePath, row.bytes);
        if (check.state === 'outside' || check.state === 'changed') return { ...seen, verdict: check.state, reason: check.reason };
        if (check.state === 'present') {
          if (input.sha256 && row.sha256) {
            const actual = await fileSha256(check.absolute, throttle, beat);
            if (actual !== row.sha256) return { ...seen, verdict: 'changed', reason: `${check.absolute} has sha256 ${actual}, ${row.sha256} was downloaded` };
          }
          // Put back where it was, by hand, after an earlier verify found it gone.
          if (row.status === 'missing') {
            if (write) await markFound(db, row.id, row.filePath);
            return { ...seen, verdict: 'moved', movedTo: row.filePath, reason: 'back at its recorded path' };
          }
          return undefined;
        }
        const movedTo = await findMoved(row);
        if (movedTo) {
          if (write) await markFound(db, row.id, movedTo);
          return { ...seen, verdict: 'moved', movedTo };
        }
        if (write) await markMissing(db, row.id, `file missing: ${row.filePath} (found by verify)`);
        if (input.missing === 'redownload') {
          progress.redownload.push({ externalId: row.externalId, workflowId: redownloadWorkflowId(input.channel, row.externalId, row.downloadedAt) });
        }
        return { ...seen, verdict: 'missing' };
      }

      return translatingErrors(async () => {
        for (;;) {
          const rows = await listRecordedFiles(db, input.channel, progress.afterId, PAGE);
          if (rows.length === 0) return { checked: progress.checked, counts: progress.counts, found: progress.found, redownload: progress.redownload };
          for (const row of rows) {
            const finding = await verify(row);
            if (finding) {
              progress.counts[finding.verdict]++;
              if (progress.found.length < MAX_LISTED_FINDINGS) progress.found.push(finding);
              context.log.warn('verify: a file is not as recorded', { channel: input.channel, videoId: row.externalId, verdict: finding.verdict, movedTo: finding.movedTo });
            }
            progress.checked++;
            progress.afterId = row.id;
            beat();
          }
        }
      });
    },
  };
}

export type VerifyActivities = ReturnType<typeof createVerifyActivities>;
