import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Signal } from '../../signaling/protocol/index.js';
import { FakeMediaStream, FakeTrack } from '../test-support/fake-media.js';
import { installFakeWebRtc, parseSdp, type FakeRTCPeerConnection } from '../test-support/fake-webrtc.js';
import { PeerSession } from './peer.js';
import { FULL_SIZE_AFTER_MS } from './video-start.js';

/** What one side put on the wire, in order. */
type Sent = Signal[];

/**
 * Two PeerSessions joined by a wire the test controls: what one sends waits in its queue until `deliver`,
 * so a test can let both sides act before either hears the other (glare) or lose a message.
 */
function pair() {
  const queues: { caller: Sent; callee: Sent } = { caller: [], callee: [] };
  const log: { caller: Sent; callee: Sent } = { caller: [], callee: [] };
  const make = (who: 'caller' | 'callee') =>
    new PeerSession({
      polite: who === 'callee',
      awaitFirstOffer: who === 'callee',
      iceServers: [],
      relayOnly: false,
      send: (signal) => {
        queues[who].push(signal);
        log[who].push(signal);
      },
    });
  const caller = make('caller');
  const callee = make('callee');
  const errors: Error[] = [];
  caller.on('error', (e) => errors.push(e));
  callee.on('error', (e) => errors.push(e));
  /** Lets pending work run, then hands each side's queued signals to the other, until nothing moves. */
  const deliver = async () => {
    for (let round = 0; round < 20; round++) {
      await settle();
      const toCallee = queues.caller.splice(0);
      const toCaller = queues.callee.splice(0);
      if (toCallee.length + toCaller.length === 0) return;
      await Promise.all([
        ...toCallee.map((s) => callee.receive(s)),
        ...toCaller.map((s) => caller.receive(s)),
      ]);
    }
    throw new Error('still negotiating after 20 rounds');
  };
  /** Throws away what is waiting on the wire (a network that lost it). */
  const lose = () => {
    queues.caller.length = queues.callee.length = 0;
  };
  return { caller, callee, log, deliver, lose, errors };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const pcOf = (peer: PeerSession) => peer.pc as unknown as FakeRTCPeerConnection;
const descriptions = (sent: Sent, type?: 'offer' | 'answer') =>
  sent.flatMap((s) =>
    s.kind === 'description' && (!type || s.description.type === type) ? [s.description] : [],
  );
/** Adds a local track to a session, as the engine does with the microphone or camera. */
function send(peer: PeerSession, kind: 'audio' | 'video'): FakeTrack {
  const track = new FakeTrack(kind);
  const stream = new FakeMediaStream([track]);
  peer.sendTrack(track as unknown as MediaStreamTrack, stream as unknown as MediaStream);
  return track;
}

beforeEach(() => {
  installFakeWebRtc();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('PeerSession', () => {
  it('connects with one offer from the caller and one answer; the callee holds its own offer back', async () => {
    const { caller, callee, log, deliver, errors } = pair();
    send(callee, 'audio'); // the callee answers first and adds its microphone before any offer came
    await settle();
    expect(log.callee).toEqual([]);
    send(caller, 'audio');
    await deliver();
    expect(descriptions(log.caller).map((d) => d.type)).toEqual(['offer']);
    expect(descriptions(log.callee).map((d) => d.type)).toEqual(['answer']);
    // The callee's microphone joined the caller's audio m-line, sending both ways.
    expect(parseSdp(descriptions(log.callee)[0]!.sdp!).mLines).toEqual([
      { kind: 'audio', mid: '0', direction: 'sendrecv' },
    ]);
    expect([pcOf(caller).signalingState, pcOf(callee).signalingState]).toEqual(['stable', 'stable']);
    expect(errors).toEqual([]);
  });

  it('sends its ICE candidates and adds the far side’s', async () => {
    const { caller, callee, log, deliver } = pair();
    send(caller, 'audio');
    await deliver();
    pcOf(caller).emitCandidate('candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host');
    await deliver();
    expect(log.caller.filter((s) => s.kind === 'candidate')).toEqual([
      {
        kind: 'candidate',
        candidate: {
          candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      },
    ]);
    expect(pcOf(callee).remoteCandidates.map((c) => c.candidate)).toEqual([
      'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host',
    ]);
  });

  it('reports the far side’s tracks, and a remote camera going off and on again', async () => {
    const { caller, callee, deliver } = pair();
    let changes = 0;
    callee.on('remote-tracks', () => changes++);
    send(callee, 'audio');
    send(caller, 'audio');
    send(caller, 'video');
    await deliver();
    const video = callee.remoteStream.getVideoTracks()[0]!;
    expect(callee.remoteStream.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(video.muted).toBe(false);
    const before = changes;
    caller.stopSending('video');
    await deliver();
    expect(video.muted).toBe(true);
    expect(changes).toBeGreaterThan(before);
    // Camera on again: the idle video transceiver is reused, no new m-line.
    send(caller, 'video');
    await deliver();
    expect(video.muted).toBe(false);
    expect(parseSdp(pcOf(caller).localDescription!.sdp!).mLines.map((m) => m.kind)).toEqual([
      'audio',
      'video',
    ]);
  });

  it('resolves an offer collision: the polite callee gives way, both end stable and both send video', async () => {
    const { caller, callee, log, deliver, errors } = pair();
    send(callee, 'audio');
    send(caller, 'audio');
    await deliver();
    // Both turn their cameras on at the same moment: two offers cross on the wire.
    send(caller, 'video');
    send(callee, 'video');
    await deliver();
    expect([pcOf(caller).signalingState, pcOf(callee).signalingState]).toEqual(['stable', 'stable']);
    expect(caller.remoteStream.getVideoTracks().filter((t) => !t.muted)).toHaveLength(1);
    expect(callee.remoteStream.getVideoTracks().filter((t) => !t.muted)).toHaveLength(1);
    expect(descriptions(log.callee, 'offer').length).toBeGreaterThan(0); // it did offer, and was overruled
    expect(errors).toEqual([]);
  });

  it('restarts ICE with a new ufrag, rolling back an offer of its own that was lost on the way', async () => {
    const { caller, callee, log, deliver, lose } = pair();
    send(callee, 'audio');
    send(caller, 'audio');
    await deliver();
    const ufrag = pcOf(caller).localUfrag;
    await caller.restartIce();
    await settle();
    lose(); // the network was down: that offer never arrived
    expect(pcOf(caller).signalingState).toBe('have-local-offer');
    await caller.restartIce([{ urls: 'turn:turn.example:3478', username: 'u', credential: 'c' }]);
    await deliver();
    const offers = descriptions(log.caller, 'offer');
    expect(offers).toHaveLength(3);
    expect(parseSdp(offers[2]!.sdp!).ufrag).not.toBe(ufrag);
    expect([pcOf(caller).signalingState, pcOf(callee).signalingState]).toEqual(['stable', 'stable']);
    expect(pcOf(caller).getConfiguration().iceServers).toEqual([
      { urls: 'turn:turn.example:3478', username: 'u', credential: 'c' },
    ]);
  });

  it('swaps the microphone without renegotiating', async () => {
    const { caller, callee, log, deliver } = pair();
    send(callee, 'audio');
    send(caller, 'audio');
    await deliver();
    const sent = log.caller.length;
    const mic = new FakeTrack('audio', 'mic-2');
    expect(await caller.replaceTrack('audio', mic as unknown as MediaStreamTrack)).toBe(true);
    await deliver();
    expect(
      pcOf(caller)
        .getSenders()
        .map((s) => s.track),
    ).toEqual([mic]);
    expect(log.caller.length).toBe(sent);
    expect(await caller.replaceTrack('video', new FakeTrack('video') as unknown as MediaStreamTrack)).toBe(
      false,
    );
  });

  it('starts a camera at 360 lines and sends it full size once it has been on a connected connection a while', async () => {
    vi.useFakeTimers();
    try {
      const { caller, callee, deliver } = pair();
      const camera = send(caller, 'video'); // 720p: no transceiver ready, so one is added for it
      await vi.advanceTimersByTimeAsync(0);
      const sender = () =>
        pcOf(caller)
          .getSenders()
          .find((s) => s.track === camera)!;
      expect(sender().scale).toBe(2);
      const delivering = deliver();
      await vi.advanceTimersByTimeAsync(100);
      await delivering;
      await vi.advanceTimersByTimeAsync(FULL_SIZE_AFTER_MS * 3);
      expect(sender().scale).toBe(2); // not connected yet: the estimate has not grown
      pcOf(caller).setConnectionState('connected');
      await vi.advanceTimersByTimeAsync(FULL_SIZE_AFTER_MS - 1);
      expect(sender().scale).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(sender().scale).toBe(1);

      // The far side's camera on its transceiver made ready by the offer, the connection already up.
      pcOf(callee).setConnectionState('connected');
      const theirs = send(callee, 'video');
      await vi.advanceTimersByTimeAsync(0);
      const theirSender = pcOf(callee)
        .getSenders()
        .find((s) => s.track === theirs)!;
      expect(pcOf(callee).getSenders()).toHaveLength(1); // no second transceiver
      expect(theirSender.scale).toBe(2);
      await vi.advanceTimersByTimeAsync(FULL_SIZE_AFTER_MS);
      expect(theirSender.scale).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a small camera as it is, and a camera turned off before its full size stays off', async () => {
    vi.useFakeTimers();
    try {
      const { caller } = pair();
      const small = new FakeTrack('video');
      vi.spyOn(small, 'getSettings').mockReturnValue({ deviceId: 'default', width: 640, height: 360 });
      caller.sendTrack(
        small as unknown as MediaStreamTrack,
        new FakeMediaStream([small]) as unknown as MediaStream,
      );
      const sender = pcOf(caller).getSenders()[0]!;
      expect(sender.scale).toBe(1);

      caller.stopSending('video');
      const camera = send(caller, 'video'); // back on: reuses the transceiver, starts small again
      await vi.advanceTimersByTimeAsync(0);
      expect(sender.track).toBe(camera);
      expect(sender.scale).toBe(2);
      pcOf(caller).setConnectionState('connected');
      caller.stopSending('video');
      await vi.advanceTimersByTimeAsync(FULL_SIZE_AFTER_MS);
      expect(sender.track).toBeNull();
      expect(sender.scale).toBe(2); // nothing to send full size any more
    } finally {
      vi.useRealTimers();
    }
  });

  it('once closed, stops the far side’s tracks and ignores what still arrives', async () => {
    const { caller, callee, deliver, errors } = pair();
    send(callee, 'audio');
    send(caller, 'audio');
    await deliver();
    callee.close();
    expect(callee.remoteStream.getTracks().map((t) => t.readyState)).toEqual(['ended']);
    send(caller, 'video');
    await deliver();
    expect(pcOf(callee).signalingState).toBe('closed');
    expect(errors).toEqual([]);
  });
});
