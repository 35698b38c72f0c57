import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backfillTarget } from '../../src/activities/backfill-plan.ts';
import { covers } from '../../src/db/backfill.ts';
import type { CrawlInput } from '../../src/shared/crawl.ts';

// The pure rules of a backfill: how far it goes, and whether one that ended covers a new ask.

const crawl = (backfill: CrawlInput['backfill'], maxItems?: number): CrawlInput => ({
  channel: 'c',
  url: 'https://www.youtube.com/@c',
  backfill,
  ...(maxItems === undefined ? {} : { rules: { maxItems } }),
});

describe('backfillTarget', () => {
  test('is the channel\'s backfill', () => {
    assert.equal(backfillTarget(crawl(200)), 200);
    assert.equal(backfillTarget(crawl('all')), 'all');
  });
  test('never goes past max_items, which downloads no more than the newest N anyway', () => {
    assert.equal(backfillTarget(crawl('all', 50)), 50);
    assert.equal(backfillTarget(crawl(200, 50)), 50);
    assert.equal(backfillTarget(crawl(20, 50)), 20);
  });
});

describe('covers', () => {
  test('a backfill that ended covers any ask up to how far it went', () => {
    assert.equal(covers('all', 'all'), true);
    assert.equal(covers('all', 5000), true);
    assert.equal(covers(200, 200), true);
    assert.equal(covers(200, 100), true);
  });
  test('a larger ask, or `all` after a number, goes on', () => {
    assert.equal(covers(200, 201), false);
    assert.equal(covers(200, 'all'), false);
    assert.equal(covers(undefined, 10), false);
  });
});
