import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../signaling/protocol/index.js';
import { errorWords } from './error-words.js';

describe('errorWords', () => {
  it('has distinct words for every protocol error code', () => {
    const all = errorCodes.map(errorWords);
    expect(new Set(all).size).toBe(errorCodes.length);
    for (const text of all) expect(text).toMatch(/^[A-Z].*\.$/);
  });

  it('falls back to a generic sentence for a code from a newer server', () => {
    expect(errorWords('E_SOMETHING_NEW')).toBe('Something went wrong. Please try again.');
  });
});
