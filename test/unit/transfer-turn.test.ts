import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextTurnAt, TRANSFER_TURN_LEAD_MS, turnIntervalMs, waitForTurnMs } from '../../src/rules/transfer-turn.ts';

test("a site's turns are 60 s / per_minute apart, rounded up so the rate is never passed", () => {
  assert.equal(turnIntervalMs(120), 500);
  assert.equal(turnIntervalMs(20), 3_000);
  assert.equal(turnIntervalMs(7), 8_572);
  assert.equal(turnIntervalMs(0.5), 120_000);
});

test('the next turn comes an interval after the last one given, and never sooner than the lead from now', () => {
  // A quiet site: the lead from now.
  assert.equal(nextTurnAt(0, 10_000, 500), 10_000 + TRANSFER_TURN_LEAD_MS);
  assert.equal(nextTurnAt(9_000, 10_000, 500, 1_000), 11_000);
  // Claims bunched together: each waits an interval behind the one before.
  assert.equal(nextTurnAt(11_000, 10_100, 500, 1_000), 11_500);
  assert.equal(nextTurnAt(11_500, 10_100, 500, 1_000), 12_000);
});

test('a transfer early for its start waits for it; one on time waits nothing; one late has missed it', () => {
  assert.equal(waitForTurnMs(12_000, 10_500), 1_500);
  assert.equal(waitForTurnMs(12_000, 12_000), 0);
  assert.equal(waitForTurnMs(12_000, 12_001), 'missed');
});
