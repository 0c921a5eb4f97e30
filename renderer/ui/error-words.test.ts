import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../signaling/protocol/index.js';
import { endedWords, errorWords } from './error-words.js';

describe('errorWords', () => {
  it('has distinct words for every protocol error code', () => {
    const all = errorCodes.map(errorWords);
    expect(new Set(all).size).toBe(errorCodes.length);
    for (const text of all) expect(text).toMatch(/^[A-Z].*\.$/);
  });

  it('has words for the app own codes', () => {
    expect(errorWords('E_MEDIA_DENIED')).toMatch(/microphone or camera/);
  });

  it('falls back to a generic sentence for a code from a newer server', () => {
    expect(errorWords('E_SOMETHING_NEW')).toBe('Something went wrong. Please try again.');
  });
});

describe('endedWords', () => {
  it('says how a call ended, with the reason words for refusals', () => {
    expect(endedWords('declined')).toBe('Call declined');
    expect(endedWords('refused', 'E_BUSY')).toBe('Call not placed: They are in another call.');
    expect(endedWords('failed', 'E_ICE_FAILED')).toMatch(
      /^Call failed: The network blocked the call's audio and video/,
    );
  });
});
