import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressPolicy } from '../../src/http/address-policy.ts';

describe('AddressPolicy', () => {
  const strict = new AddressPolicy();

  for (const [address, label] of [
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
  ] as const) {
    test(`refuses ${address} as ${label} by default, and says how to allow it`, () => {
      const refusal = strict.refusal(address);
      assert.ok(refusal, `${address} was allowed`);
      assert.match(refusal, new RegExp(label));
      assert.match(refusal, /PARKER_ALLOW_PRIVATE/);
    });
  }

  for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '11.0.0.1']) {
    test(`allows the public address ${address}`, () => {
      assert.equal(strict.refusal(address), undefined);
    });
  }

  test('an allow-list opens exactly the listed addresses and ranges', () => {
    const policy = new AddressPolicy(['127.0.0.1', '192.168.0.0/16', '::1']);
    assert.equal(policy.refusal('127.0.0.1'), undefined);
    assert.equal(policy.refusal('::ffff:127.0.0.1'), undefined);
    assert.equal(policy.refusal('192.168.44.2'), undefined);
    assert.equal(policy.refusal('::1'), undefined);
    assert.ok(policy.refusal('127.0.0.2'), 'only the one loopback address was listed');
    assert.ok(policy.refusal('169.254.169.254'));
    assert.ok(policy.refusal('10.0.0.1'));
  });

  for (const bad of ['localhost', '10.0.0.0/x', '300.1.1.1', 'example.org/8']) {
    test(`rejects the allow-list entry ${bad}, naming it`, () => {
      assert.throws(() => new AddressPolicy([bad]), new RegExp(bad.replace(/[.*/]/g, '\\$&')));
    });
  }
});
