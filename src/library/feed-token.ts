import { createHash, timingSafeEqual } from 'node:crypto';

// PARKER_FEED_TOKEN, checked in constant time: how long a comparison takes must not tell
// anyone how much of a guess was right. Both sides are hashed first, so the comparison
// has two equal lengths whatever was sent, and the length of the token leaks nothing either.

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether the token a request carried (a query value: absent, one or several) is the expected one. */
export function feedTokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(given), digest(expected));
}
