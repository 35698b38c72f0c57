import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSFER_TURN_LEAD_MS, turnStartAt, waitForTurnMs } from '../../src/rules/transfer-turn.ts';

test('a claim gives its transfer a start the lead after it', () => {
  assert.equal(turnStartAt(10_000), 10_000 + TRANSFER_TURN_LEAD_MS);
  assert.equal(turnStartAt(10_000, 500), 10_500);
});

test('a transfer early for its start waits for it; one on time waits nothing; one late has missed it', () => {
  assert.equal(waitForTurnMs(12_000, 10_500), 1_500);
  assert.equal(waitForTurnMs(12_000, 12_000), 0);
  assert.equal(waitForTurnMs(12_000, 12_001), 'missed');
});
