import { describe, expect, it } from 'vitest';
import { derivePresence } from './derive.js';

describe('derivePresence', () => {
  it('is offline with no connected device, whatever the other flags say', () => {
    expect(derivePresence({ devicesAway: [], inCall: false, dnd: false })).toBe('offline');
    expect(derivePresence({ devicesAway: [], inCall: true, dnd: true })).toBe('offline');
    expect(derivePresence({ devicesAway: [], inCall: true, dnd: false })).toBe('offline');
    expect(derivePresence({ devicesAway: [], inCall: false, dnd: true })).toBe('offline');
  });

  it('is busy in a call, even in do-not-disturb and with every device away', () => {
    expect(derivePresence({ devicesAway: [false], inCall: true, dnd: false })).toBe('busy');
    expect(derivePresence({ devicesAway: [true, true], inCall: true, dnd: true })).toBe('busy');
  });

  it('is dnd rather than online or away', () => {
    expect(derivePresence({ devicesAway: [false], inCall: false, dnd: true })).toBe('dnd');
    expect(derivePresence({ devicesAway: [true], inCall: false, dnd: true })).toBe('dnd');
  });

  it('is online when any device is not away', () => {
    expect(derivePresence({ devicesAway: [false], inCall: false, dnd: false })).toBe('online');
    expect(derivePresence({ devicesAway: [true, false, true], inCall: false, dnd: false })).toBe('online');
  });

  it('is away only when every device is away', () => {
    expect(derivePresence({ devicesAway: [true], inCall: false, dnd: false })).toBe('away');
    expect(derivePresence({ devicesAway: [true, true, true], inCall: false, dnd: false })).toBe('away');
  });
});
