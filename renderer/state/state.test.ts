import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../signaling/protocol/index.js';
import { defaultPreferences, parsePreferences } from './devices.js';
import { historyActions, recentCalls, useHistory } from './history.js';

describe('history store', () => {
  it('upserts entries newest first without duplicates', () => {
    useHistory.setState({ entries: [] });
    const entry = (callId: string, createdAt: string) => ({ callId, createdAt }) as HistoryEntry;
    historyActions.upsert(entry('a'.repeat(22), '2026-01-01T10:00:00.000Z'));
    historyActions.upsert(entry('b'.repeat(22), '2026-01-01T11:00:00.000Z'));
    historyActions.upsert(entry('a'.repeat(22), '2026-01-01T10:00:00.000Z'));
    expect(useHistory.getState().entries.map((e) => e.callId[0])).toEqual(['b', 'a']);
  });
});

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

describe('recent calls', () => {
  it('lists each peer once, newest first, at most five', () => {
    const entry = (username: string, media: 'audio' | 'video' = 'audio') =>
      ({ peer: { username, displayName: username.toUpperCase() }, media }) as HistoryEntry;
    const entries = ['a', 'b', 'a', 'c', 'd', 'e', 'f', 'g'].map((u, i) =>
      entry(u, i === 0 ? 'video' : 'audio'),
    );
    expect(recentCalls(entries)).toEqual([
      { username: 'a', displayName: 'A', media: 'video' },
      { username: 'b', displayName: 'B', media: 'audio' },
      { username: 'c', displayName: 'C', media: 'audio' },
      { username: 'd', displayName: 'D', media: 'audio' },
      { username: 'e', displayName: 'E', media: 'audio' },
    ]);
  });
});
