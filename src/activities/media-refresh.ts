import { Context } from '@temporalio/activity';
import { existsSync } from 'node:fs';
import { loadChannelList, type MediaServerConfig } from '../config/channels.ts';
import { refreshLibraries } from '../library/media-servers.ts';

// The media servers' library refresh: which servers channels.yaml names, and asking one
// of them to scan. Only names cross into the workflow; the key is read here each time.

export interface MediaRefreshActivityDeps {
  configPath: string;
}

export function createMediaRefreshActivities({ configPath }: MediaRefreshActivityDeps) {
  async function servers(): Promise<MediaServerConfig[]> {
    // A broken or missing file refreshes nothing: the schedule sync reports what is wrong.
    if (!existsSync(configPath)) return [];
    const list = await loadChannelList(configPath).catch(() => undefined);
    return list?.mediaServers ?? [];
  }

  return {
    /** The names of the media servers in channels.yaml. */
    async listMediaServers(): Promise<string[]> {
      return (await servers()).map((server) => server.name);
    },

    /** Asks one server (by name) to refresh its libraries; a refusal is retried by the activity's policy. */
    async refreshMediaServer(input: { name: string }): Promise<void> {
      const server = (await servers()).find((candidate) => candidate.name === input.name);
      if (!server) return; // removed from channels.yaml since the batch began
      await refreshLibraries(server, Context.current().cancellationSignal);
      Context.current().log.info('media server refreshed', { server: server.name, kind: server.kind });
    },
  };
}

export type MediaRefreshActivities = ReturnType<typeof createMediaRefreshActivities>;
