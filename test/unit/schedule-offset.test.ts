import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { scheduleOffsetMs } from '../../src/temporal/schedule-offset.ts';

// Each channel's crawl has its own second within its interval, from its name: the same on
// every sync (no schedule updates for nothing), and spread evenly over many channels.

const HOUR = 3_600_000;

describe('schedule offset', () => {
  test("is the sha256 of the channel's name, in whole seconds, modulo the interval", () => {
    const hash = createHash('sha256').update('planet-money').digest().readUIntBE(0, 6);
    assert.equal(scheduleOffsetMs('planet-money', HOUR), (hash % 3600) * 1000);
    assert.equal(scheduleOffsetMs('planet-money', 24 * HOUR), (hash % 86_400) * 1000);
  });

  test('is the same on every call and differs between channels', () => {
    assert.equal(scheduleOffsetMs('planet-money', HOUR), scheduleOffsetMs('planet-money', HOUR));
    assert.notEqual(scheduleOffsetMs('planet-money', HOUR), scheduleOffsetMs('planet-money-2', HOUR));
  });

  test('stays inside the interval, in whole seconds, for every interval a channel may have', () => {
    for (const every of [60_000, 90_000, 15 * 60_000, HOUR, 24 * HOUR, 30 * 24 * HOUR]) {
      for (let i = 0; i < 200; i++) {
        const offset = scheduleOffsetMs(`channel-${i}`, every);
        assert.ok(offset >= 0 && offset < every, `${offset} outside [0, ${every})`);
        assert.equal(offset % 1000, 0);
      }
    }
  });

  test('spreads 1,000 hourly channels evenly: every 6-minute slice of the hour holds 60 to 140 of them', () => {
    const slices = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) slices[Math.floor(scheduleOffsetMs(`channel-${i}`, HOUR) / (6 * 60_000))]! += 1;
    for (const [slice, count] of slices.entries()) assert.ok(count >= 60 && count <= 140, `slice ${slice} holds ${count}: ${slices}`);
  });
});
