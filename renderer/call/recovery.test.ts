import { describe, expect, it } from 'vitest';
import { PathWatch, pathSampleOf, recoveryTimings, type RecoveryAction } from './recovery.js';

const t = recoveryTimings;

/**
 * Drives a PathWatch with a sample every `sampleMs`, as the engine does. `packetsAt(ms)` is the inbound
 * packet count at a moment, `stateAt(ms)` the connection state; returns each action with when it came.
 */
function run(
  untilMs: number,
  packetsAt: (ms: number) => number,
  stateAt: (ms: number) => RTCPeerConnectionState = () => 'connected',
): { at: number; action: RecoveryAction }[] {
  const watch = new PathWatch(0);
  const seen: { at: number; action: RecoveryAction }[] = [];
  for (let at = t.sampleMs; at <= untilMs; at += t.sampleMs)
    for (const action of watch.sample({ at, packetsReceived: packetsAt(at), state: stateAt(at) }))
      seen.push({ at, action });
  return seen;
}

/** Inbound packets so far at `ms`: 50 a second (audio) from 300 ms on, none within the [from, to) gaps. */
const audio =
  (...gaps: [from: number, to: number][]) =>
  (ms: number): number => {
    const missed = gaps.reduce((sum, [from, to]) => sum + Math.max(0, Math.min(ms, to) - from), 0);
    return Math.floor((ms - 300 - missed) / 20);
  };

const actions = (seen: { action: RecoveryAction }[]) => seen.map((s) => s.action);

describe('PathWatch', () => {
  it('stays quiet while media flows', () => {
    expect(run(60_000, audio())).toEqual([]);
  });

  it('checks signaling, says reconnecting, restarts ICE until media is back, then says so', () => {
    const seen = run(20_000, audio([10_000, 16_000]));
    const first = (action: RecoveryAction) => seen.find((s) => s.action === action)!.at - 10_000;
    // Each within its threshold plus one sample of the last packet.
    expect(first('check-signaling')).toBeLessThanOrEqual(t.suspectMs + t.sampleMs);
    expect(first('reconnecting')).toBeGreaterThanOrEqual(t.stallMs - t.sampleMs);
    expect(first('reconnecting')).toBeLessThanOrEqual(t.stallMs + t.sampleMs);
    expect(first('restart')).toBeLessThanOrEqual(t.restartAfterMs + t.sampleMs);
    // Then one restart every retryMs while media stays away.
    const restarts = seen.filter((s) => s.action === 'restart').map((s) => s.at);
    expect(restarts.length).toBeGreaterThan(1);
    expect(restarts.slice(1).map((at, i) => at - restarts[i]!)).toEqual(
      restarts.slice(1).map(() => t.retryMs),
    );
    expect(seen.at(-1)).toEqual({ at: 16_000 + t.sampleMs, action: 'recovered' });
    expect(actions(seen).filter((a) => a !== 'restart')).toEqual([
      'check-signaling',
      'reconnecting',
      'recovered',
    ]);
  });

  it('only checks signaling for a short silence, and checks again at the next one', () => {
    const short = t.stallMs - 2 * t.sampleMs;
    const seen = run(12_000, audio([5_000, 5_000 + short], [9_000, 9_000 + short]));
    expect(actions(seen)).toEqual(['check-signaling', 'check-signaling']);
  });

  it('is silent from the signaling check until packets come again', () => {
    const watch = new PathWatch(0);
    const sample = (at: number, packetsReceived: number) =>
      watch.sample({ at, packetsReceived, state: 'connected' });
    sample(250, 10);
    expect(watch.silent).toBe(false);
    expect(sample(250 + t.suspectMs, 10)).toEqual(['check-signaling']);
    expect(watch.silent).toBe(true);
    expect(sample(500 + t.suspectMs, 11)).toEqual([]);
    expect(watch.silent).toBe(false);
  });

  it('restarts at once when the browser already says the path failed', () => {
    const seen = run(12_000, audio([10_000, Infinity]), (ms) => (ms >= 10_500 ? 'failed' : 'connected'));
    expect(seen).toEqual([
      { at: 10_500, action: 'check-signaling' },
      { at: 10_500, action: 'reconnecting' },
      { at: 10_500, action: 'restart' },
    ]);
  });

  it('counts a restart made elsewhere (signaling came back) before retrying', () => {
    const watch = new PathWatch(0);
    const sample = (at: number) => watch.sample({ at, packetsReceived: 10, state: 'connected' });
    expect(watch.sample({ at: 250, packetsReceived: 10, state: 'connected' })).toEqual([]);
    expect(sample(250 + t.stallMs)).toEqual(['check-signaling', 'reconnecting']);
    watch.restarted(250 + t.stallMs);
    expect(sample(250 + t.restartAfterMs)).toEqual([]);
    expect(sample(250 + t.stallMs + t.retryMs)).toEqual(['restart']);
  });

  it('gives up once the path has been down for giveUpMs, and then says nothing more', () => {
    const seen = run(60_000, audio([10_000, Infinity]));
    const giveUp = seen.filter((s) => s.action === 'give-up');
    expect(giveUp).toHaveLength(1);
    expect(giveUp[0]!.at - 10_000).toBeGreaterThanOrEqual(t.giveUpMs);
    expect(giveUp[0]!.at - 10_000).toBeLessThanOrEqual(t.giveUpMs + t.sampleMs);
    expect(seen.at(-1)!.action).toBe('give-up');
  });

  it('gives up on a call whose media never arrives, after connectTimeoutMs', () => {
    const seen = run(
      40_000,
      () => 0,
      () => 'connecting',
    );
    expect(seen).toEqual([{ at: t.connectTimeoutMs, action: 'give-up' }]);
  });

  it('while connecting, restarts only when the browser says failed, at most every retryMs', () => {
    const seen = run(
      t.connectTimeoutMs - t.sampleMs,
      () => 0,
      (ms) => (ms >= 8_000 ? 'failed' : 'connecting'),
    );
    expect(seen.map((s) => s.at)).toEqual([8_000, 12_000, 16_000]);
    expect(actions(seen)).toEqual(['restart', 'restart', 'restart']);
  });

  it('does not count a smaller total (a stream that went away) as media arriving', () => {
    const watch = new PathWatch(0);
    const sample = (at: number, packetsReceived: number) =>
      watch.sample({ at, packetsReceived, state: 'connected' });
    expect(sample(250, 100)).toEqual([]);
    expect(sample(500, 40)).toEqual([]);
    expect(sample(250 + t.stallMs, 40)).toEqual(['check-signaling', 'reconnecting']);
    expect(sample(500 + t.stallMs, 41)).toEqual(['recovered']);
  });

  it('measures silence by the browser’s last-packet time, not by when samples happen to come', () => {
    const watch = new PathWatch(0);
    const sample = (at: number, packetsReceived: number, silenceMs: number) =>
      watch.sample({ at, packetsReceived, silenceMs, state: 'connected' });
    expect(sample(250, 10, 0)).toEqual([]);
    // A sample delayed by a busy machine, with packets up to 100 ms before it: still flowing.
    expect(sample(250 + 3 * t.stallMs, 200, 100)).toEqual([]);
    // Packets grew since the last sample, but the newest came stallMs ago: down at once.
    expect(sample(250 + 5 * t.stallMs, 210, t.stallMs)).toEqual(['check-signaling', 'reconnecting']);
    // Fresh packets end it.
    expect(sample(500 + 5 * t.stallMs, 300, 20)).toEqual(['recovered']);
  });
});

describe('pathSampleOf', () => {
  const report = (entries: Record<string, unknown>[]) =>
    new Map(entries.map((e) => [String(e.id), { ...e, type: String(e.type) }]));

  it('sums inbound packets and takes the silence of the freshest stream', () => {
    const sample = pathSampleOf(
      report([
        {
          id: 'A',
          type: 'inbound-rtp',
          packetsReceived: 300,
          timestamp: 10_000,
          lastPacketReceivedTimestamp: 9_980,
        },
        {
          id: 'V',
          type: 'inbound-rtp',
          packetsReceived: 900,
          timestamp: 10_000,
          lastPacketReceivedTimestamp: 8_000,
        },
        { id: 'O', type: 'outbound-rtp', packetsSent: 5_000, timestamp: 10_000 },
      ]),
      123,
      'connected',
    );
    expect(sample).toEqual({ at: 123, packetsReceived: 1_200, silenceMs: 20, state: 'connected' });
  });

  it('leaves silence to the watch where the browser gives no last-packet time', () => {
    const sample = pathSampleOf(
      report([{ id: 'A', type: 'inbound-rtp', packetsReceived: 7 }]),
      5,
      'connecting',
    );
    expect(sample).toEqual({ at: 5, packetsReceived: 7, silenceMs: undefined, state: 'connecting' });
  });
});
