// Many small Temporal calls (one describe and maybe one create or update per schedule)
// go much faster side by side, but not all at once: a thousand requests in one burst
// would hit the frontend's rate limit and the connection's stream limit together.

/** Runs `work` on every item, at most `limit` at a time; results in the items' order. Rejects on the first failure. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
