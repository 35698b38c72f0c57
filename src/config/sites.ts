import { z } from 'zod';

// `sites:` in channels.yaml: how hard Parker may press each site, however many workers
// run. Each named site gets download task queues of its own: Temporal hands out at most
// `per_minute` transfers a minute on the site's claim queue, across every worker, and each
// worker runs at most `concurrency` of the site's transfers at once. `default` sets the
// same for every host no site names.

/** The entry of `sites:` whose limits apply to every host the other entries do not name. */
export const DEFAULT_SITE = 'default';

export interface SiteLimits {
  /** Transfers started per minute, across all workers; unset: no limit. */
  perMinute?: number;
  /** Transfers one worker runs at once; unset: PARKER_MAX_DOWNLOADS. */
  concurrency?: number;
}

export interface Site extends SiteLimits {
  /** The entry's key: names its task queues. */
  name: string;
  /** Host names (lower case) whose media URLs, and their subdomains', belong to the site. */
  hosts: string[];
}

export interface SiteList {
  /** The named sites, in file order. */
  sites: Site[];
  /** What `sites.default` says; an empty object when it is not there. */
  fallback: SiteLimits;
}

const SITE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const limitFields = {
  per_minute: z.number({ error: 'must be a number of transfers per minute' }).positive('must be more than 0').optional(),
  concurrency: z.number().int('must be a whole number').min(1, 'must be 1 or more').optional(),
};
const defaultSchema = z.object(limitFields).strict();
const siteSchema = z
  .object({
    hosts: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(HOST_NAME, 'must be a host name such as youtube.com (no scheme, port or path)'),
      )
      .min(1, 'must name at least one host'),
    ...limitFields,
  })
  .strict();

function limitsOf(entry: { per_minute?: number; concurrency?: number }): SiteLimits {
  return {
    ...(entry.per_minute !== undefined ? { perMinute: entry.per_minute } : {}),
    ...(entry.concurrency !== undefined ? { concurrency: entry.concurrency } : {}),
  };
}

/** The `sites:` section as channels.yaml holds it; parsed into a SiteList. */
export const sitesSchema = z
  .record(z.string(), z.unknown())
  .default({})
  .transform((entries, context): SiteList => {
    const list: SiteList = { sites: [], fallback: {} };
    const owner = new Map<string, string>();
    for (const [name, entry] of Object.entries(entries)) {
      if (!SITE_NAME.test(name)) {
        context.addIssue({ code: 'custom', path: [name], message: 'a site name is 1 to 63 lower-case letters, digits, - or _' });
        continue;
      }
      if (name === DEFAULT_SITE) {
        const parsed = defaultSchema.safeParse(entry ?? {});
        if (parsed.success) list.fallback = limitsOf(parsed.data);
        else for (const issue of parsed.error.issues) context.addIssue({ ...issue, path: [name, ...issue.path] } as never);
        continue;
      }
      const parsed = siteSchema.safeParse(entry ?? {});
      if (!parsed.success) {
        for (const issue of parsed.error.issues) context.addIssue({ ...issue, path: [name, ...issue.path] } as never);
        continue;
      }
      for (const host of parsed.data.hosts) {
        const earlier = owner.get(host);
        if (earlier && earlier !== name) context.addIssue({ code: 'custom', path: [name, 'hosts'], message: `${host} is named by site ${earlier} already` });
        owner.set(host, name);
      }
      list.sites.push({ name, hosts: [...new Set(parsed.data.hosts)], ...limitsOf(parsed.data) });
    }
    return list;
  });

/**
 * The task-queue rate (per second) for a site's claims. The Temporal server runs a token
 * bucket whose burst is the rate rounded up (matching's rate limit manager), so after a
 * quiet spell a queue of 2 a second hands out 2 at once and 2 more within the second.
 * The turns (src/rules/transfer-turn.ts) space the starts whatever the claims do; asking
 * for a hair under the rate keeps the burst at 2 and so keeps claims from taking turns
 * more than one interval ahead. Over a minute the hair costs 0.1 %.
 */
export function claimRatePerSecond(perMinute: number): number {
  return (perMinute / 60) * 0.999;
}

/**
 * The site a media URL belongs to: the one naming its host, or a parent domain of it (the
 * longest such name wins); undefined for the default.
 */
export function siteOfUrl(list: SiteList, mediaUrl: string): Site | undefined {
  const host = new URL(mediaUrl).hostname.toLowerCase();
  let best: { site: Site; length: number } | undefined;
  for (const site of list.sites) {
    for (const name of site.hosts) {
      if ((host === name || host.endsWith(`.${name}`)) && name.length > (best?.length ?? 0)) best = { site, length: name.length };
    }
  }
  return best?.site;
}
