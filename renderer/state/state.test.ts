import { describe, expect, it } from 'vitest';
import { defaultPreferences, parsePreferences } from './devices.js';

describe('device preferences', () => {
  it('recovers defaults from missing, corrupt or invalid saved preferences', () => {
    expect(parsePreferences(undefined)).toEqual(defaultPreferences());
    expect(parsePreferences('not an object')).toEqual(defaultPreferences());
    expect(parsePreferences({ ringVolume: 7 })).toEqual(defaultPreferences());
    expect(parsePreferences({ microphoneId: 'm1', ringVolume: 0.3 })).toMatchObject({
      microphoneId: 'm1',
      ringVolume: 0.3,
    });
  });
});
