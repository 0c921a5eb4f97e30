import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeMediaStream, FakeTrack } from '../test-support/fake-media.js';
import { FirstMedia } from './first-media.js';
import { TimingRecorder } from './timings.js';

const stream = (...tracks: FakeTrack[]) => new FakeMediaStream(tracks) as unknown as MediaStream;

describe('FirstMedia', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('marks the first audio when the remote audio track unmutes (its first packet), not when it appears', () => {
    const recorder = new TimingRecorder();
    const first = new FirstMedia(recorder);
    const audio = new FakeTrack('audio', 'remote');
    audio.setMuted(true); // how a browser hands over a remote track before any packet came
    first.check(stream(audio));
    expect(recorder.has('first-audio')).toBe(false);
    vi.advanceTimersByTime(40);
    audio.setMuted(false);
    first.check(stream(audio));
    expect(recorder.timings.stages['first-audio']).toBe(40);
  });

  it('marks nothing once stopped (the call ended)', () => {
    const recorder = new TimingRecorder();
    const first = new FirstMedia(recorder);
    first.stop();
    first.check(stream(new FakeTrack('audio', 'remote')));
    expect(recorder.has('first-audio')).toBe(false);
  });
});
