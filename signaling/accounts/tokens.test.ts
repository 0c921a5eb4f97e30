import { expect, test } from 'vitest';
import { newCallId } from './tokens.js';

test('call ids are 22 base64url characters and never repeat, also past a refill of their random bytes', () => {
  const ids = Array.from({ length: 1_000 }, newCallId);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(new Set(ids).size).toBe(ids.length);
});
