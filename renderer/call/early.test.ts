/**
 * Connecting while it rings (early.ts through CallEngine): what each side sends before and after Accept,
 * which devices it opens when, and which connection goes on into the call. Both ends negotiate for real on
 * the fake RTCPeerConnection; the far side is a PeerSession the test wires to the fake server's relay.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leg, Signal } from '../../signaling/protocol/index.js';
import { CALL_ID, FakeSignaling } from '../test-support/fake-signaling.js';
import { memoryStore } from '../test-support/memory-store.js';
import { FakeMediaStream, FakeTrack } from '../test-support/fake-media.js';
import {
  installFakeWebRtc,
  parseSdp,
  type FakeRTCPeerConnection,
  type FakeWebRtc,
} from '../test-support/fake-webrtc.js';
import { LATE_OFFER_WAIT_MS } from './early.js';
import { CallEngine, REDRAW_WAIT_MS } from './engine.js';
import { PeerSession } from './peer.js';
import type { CallView } from './view.js';

const bob = { username: 'bob', displayName: 'Bob' };
const LEG_A: Leg = 'leg-of-device-A1';
const LEG_B: Leg = 'leg-of-device-B2';
const LEG_C: Leg = 'leg-of-device-C3';

let webrtc: FakeWebRtc;
let server: FakeSignaling;
let engine: CallEngine;
let views: (CallView | null)[];

beforeEach(() => {
  vi.useFakeTimers();
  webrtc = installFakeWebRtc();
  server = new FakeSignaling({ unanswered: 'server' });
  engine = new CallEngine(server, () => ({ relayOnly: false }), memoryStore());
  views = [];
  engine.on('call', (view) => views.push(view));
});

afterEach(() => {
  engine.dispose();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const pass = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const last = () => views.at(-1);
const pcOf = (peer: PeerSession) => peer.pc as unknown as FakeRTCPeerConnection;
const descriptions = (signals: Signal[], type: 'offer' | 'answer') =>
  signals.flatMap((s) => (s.kind === 'description' && s.description.type === type ? [s.description] : []));
const directions = (sdp: string) => parseSdp(sdp).mLines.map((m) => [m.kind, m.direction]);
const sentTracks = (pc: FakeRTCPeerConnection) => pc.getSenders().map((s) => s.track?.kind ?? null);

describe('connecting while it rings, the ringing side', () => {
  /** Bob's device (the caller), answering as Parley's caller does while it rings; it got what `received` holds. */
  function caller() {
    const received: Signal[] = [];
    const peer = new PeerSession({
      polite: false,
      awaitFirstOffer: true,
      readyToSend: true,
      iceServers: [],
      relayOnly: false,
      send: (signal) => server.push('call.signal', { callId: CALL_ID, signal, leg: LEG_A }),
    });
    server.relay = (signal) => {
      received.push(signal);
      void peer.receive(signal);
    };
    return { peer, received };
  }

  /** Bob's call rings this device, which the server lets connect early. */
  const ringWithPreconnect = (media: 'audio' | 'video') =>
    server.push('call.incoming', {
      callId: CALL_ID,
      caller: bob,
      media,
      ringTimeoutMs: 30_000,
      preconnect: true,
    });

  it('offers a connection with no media at once; Accept opens the devices and attaches them, with no new offer', async () => {
    const bobs = caller();
    ringWithPreconnect('video');
    await pass();
    // One offer, ready to send audio and video, and no camera or microphone open while it rings.
    const offers = descriptions(bobs.received, 'offer');
    expect(offers).toHaveLength(1);
    expect(directions(offers[0]!.sdp)).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
    expect(webrtc.devices.opened).toEqual([]);
    expect(pcOf(bobs.peer).signalingState).toBe('stable'); // Bob answered it
    const ours = webrtc.peerConnections.find((pc) => pc !== pcOf(bobs.peer))!;
    expect(directions(ours.remoteDescription!.sdp!)).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
    expect(sentTracks(ours)).toEqual([null, null]);
    ours.setConnectionState('connected'); // ICE and DTLS done while it rings
    expect(last()).toMatchObject({ phase: 'incoming' });

    await engine.accept('video');
    await pass();
    expect(server.sentOf('call.accept')).toEqual([{ callId: CALL_ID }]);
    expect(sentTracks(ours)).toEqual(['audio', 'video']);
    expect(descriptions(bobs.received, 'offer')).toHaveLength(1); // no renegotiation
    expect(webrtc.peerConnections).toHaveLength(2); // the one made while ringing went on
    // Already connected: the call is active from Accept on, its clock running.
    expect(last()).toMatchObject({ phase: 'active' });
    expect(last()?.connectedAt).toBeTypeOf('number');
  });

  it('sends voice and the accept as soon as the microphone opens; the camera joins when it opens, with no new offer', async () => {
    const bobs = caller();
    ringWithPreconnect('video');
    await pass();
    const ours = webrtc.peerConnections.find((pc) => pc !== pcOf(bobs.peer))!;
    ours.setConnectionState('connected');
    const releaseCamera = webrtc.devices.hold('video');

    const accepting = engine.accept('video');
    await pass(REDRAW_WAIT_MS); // the call is drawn without waiting any longer for the camera
    await pass();
    expect(server.sentOf('call.accept')).toEqual([{ callId: CALL_ID }]);
    expect(sentTracks(ours)).toEqual(['audio', null]);
    expect(last()).toMatchObject({ phase: 'active', cameraOn: true });

    releaseCamera();
    await pass();
    expect(sentTracks(ours)).toEqual(['audio', 'video']);
    expect(descriptions(bobs.received, 'offer')).toHaveLength(1); // no renegotiation
    expect(engine.timings?.stages['camera-open']).toBeGreaterThanOrEqual(
      engine.timings!.stages['microphone-open']!,
    );
    await accepting;
  });

  it('puts the microphone on and sends the accept before the view changes; Accept again or Decline meanwhile do nothing', async () => {
    const bobs = caller();
    ringWithPreconnect('audio');
    await pass();
    const ours = webrtc.peerConnections.find((pc) => pc !== pcOf(bobs.peer))!;
    ours.setConnectionState('connected');
    const releaseMicrophone = webrtc.devices.hold('audio');
    const accepting = engine.accept('audio');
    await pass(REDRAW_WAIT_MS - 1);
    expect(last()).toMatchObject({ phase: 'incoming' }); // not redrawn while the microphone opens
    await engine.accept('video');
    await engine.decline();
    releaseMicrophone();
    await accepting;
    expect(server.sentOf('call.accept')).toEqual([{ callId: CALL_ID }]);
    expect(server.sentOf('call.decline')).toEqual([]);
    expect(webrtc.devices.opened.map((t) => t.kind)).toEqual(['audio']);
    expect(sentTracks(ours)).toEqual(['audio']);
    expect(last()).toMatchObject({ phase: 'active' });
  });

  it('shows the call after a short while when the microphone is slow to open (the person is asked)', async () => {
    caller();
    ringWithPreconnect('audio');
    await pass();
    const releaseMicrophone = webrtc.devices.hold('audio');
    const accepting = engine.accept('audio');
    await pass(REDRAW_WAIT_MS);
    expect(last()).toMatchObject({ phase: 'connecting' });
    expect(server.sentOf('call.accept')).toEqual([]);
    releaseMicrophone();
    await accepting;
    expect(server.sentOf('call.accept')).toEqual([{ callId: CALL_ID }]);
  });

  it('closes a camera that opens only after the call ended', async () => {
    caller();
    ringWithPreconnect('video');
    await pass();
    const releaseCamera = webrtc.devices.hold('video');
    const accepting = engine.accept('video');
    await pass(REDRAW_WAIT_MS); // the call is drawn without waiting any longer for the camera
    server.push('call.ended', { callId: CALL_ID, reason: 'completed' });
    releaseCamera();
    await pass();
    expect(webrtc.devices.opened.map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(webrtc.devices.live()).toEqual([]); // its light went off at once
    await accepting;
  });

  it('goes on with voice when the camera fails after the microphone opened, and says so', async () => {
    const notices: unknown[] = [];
    engine.on('notice', (n) => notices.push(n));
    caller();
    ringWithPreconnect('video');
    await pass();
    const releaseCamera = webrtc.devices.hold('video');
    webrtc.devices.denied.add('video');
    const accepting = engine.accept('video');
    await pass(REDRAW_WAIT_MS); // the call is drawn without waiting any longer for the camera
    expect(server.sentOf('call.accept')).toEqual([{ callId: CALL_ID }]);
    expect(last()).toMatchObject({ cameraOn: true });
    releaseCamera();
    await pass();
    expect(notices).toEqual([{ code: 'E_MEDIA_DENIED', message: 'camera' }]);
    expect(last()).toMatchObject({ callId: CALL_ID, cameraOn: false });
    expect(webrtc.devices.live().map((t) => t.kind)).toEqual(['audio']);
    await accepting;
  });

  it('answers with voice only: the camera stays closed and its transceiver sends nothing', async () => {
    caller();
    ringWithPreconnect('video');
    await pass();
    await engine.accept('audio');
    await pass();
    expect(webrtc.devices.live().map((t) => t.kind)).toEqual(['audio']);
    expect(sentTracks(webrtc.peerConnections.at(-1)!)).toEqual(['audio', null]);
  });

  it('publishes the ringing call first, and asks for ICE servers and connects in the next task', async () => {
    const bobs = caller();
    ringWithPreconnect('video');
    expect(last()).toMatchObject({ phase: 'incoming', ringing: true });
    expect(server.sentOf('ice.servers')).toEqual([]);
    expect(webrtc.peerConnections).toEqual([pcOf(bobs.peer)]);
    await pass();
    expect(server.sentOf('ice.servers')).toEqual([{}]);
    expect(webrtc.peerConnections).toHaveLength(2);
  });

  it('does not connect early unless the server says it may', async () => {
    const bobs = caller();
    server.push('call.incoming', { callId: CALL_ID, caller: bob, media: 'audio', ringTimeoutMs: 30_000 });
    await pass(1_000);
    expect(bobs.received).toEqual([]);
    expect(webrtc.peerConnections).toHaveLength(1); // only Bob's
  });

  it('declining closes the connection made while it rang', async () => {
    const bobs = caller();
    ringWithPreconnect('audio');
    await pass();
    const ours = webrtc.peerConnections.find((pc) => pc !== pcOf(bobs.peer))!;
    await engine.decline();
    server.push('call.ended', { callId: CALL_ID, reason: 'declined' });
    await pass();
    expect(ours.connectionState).toBe('closed');
  });
});

describe('connecting while it rings, the calling side', () => {
  /** One of Bob's ringing devices: offers as a ringing Parley device does; signals to it arrive addressed to `leg`. */
  function ringingDevice(leg: Leg) {
    const received: Signal[] = [];
    const peer = new PeerSession({
      polite: true,
      awaitFirstOffer: false,
      iceServers: [],
      relayOnly: false,
      send: (signal) => server.push('call.signal', { callId: CALL_ID, signal, leg }),
    });
    return { leg, peer, received, pc: pcOf(peer) };
  }

  /** Calls Bob, who has two devices ringing that both connect early. */
  async function ringingTwice() {
    const devices = [ringingDevice(LEG_A), ringingDevice(LEG_B)];
    server.relay = (signal, leg) => {
      const to = devices.find((d) => d.leg === leg);
      to?.received.push(signal);
      void to?.peer.receive(signal);
    };
    await engine.call(bob, 'audio');
    server.push('call.ringing', { callId: CALL_ID, callee: bob });
    for (const d of devices) d.peer.prepareToSend(['audio']);
    await pass();
    const ours = (d: { pc: FakeRTCPeerConnection }) =>
      webrtc.peerConnections.find(
        (pc) => !devices.some((x) => x.pc === pc) && pc.remoteDescription?.sdp === d.pc.localDescription?.sdp,
      )!;
    return { devices, ours };
  }

  it('answers each ringing device on its own connection, sending nothing until one answers', async () => {
    const { devices, ours } = await ringingTwice();
    for (const d of devices) {
      const answers = descriptions(d.received, 'answer');
      expect(answers, d.leg).toHaveLength(1);
      expect(directions(answers[0]!.sdp)).toEqual([['audio', 'sendrecv']]); // ready to send, on Accept
      expect(d.pc.signalingState).toBe('stable');
      expect(sentTracks(ours(d))).toEqual([null]); // our microphone goes to nobody yet
    }
    expect(webrtc.devices.live().map((t) => t.kind)).toEqual(['audio']); // open, for the call to come
  });

  it('keeps the answering leg’s connection and sends on it at once; the other closes and is not heard', async () => {
    const { devices, ours } = await ringingTwice();
    const [a, b] = devices as [ReturnType<typeof ringingDevice>, ReturnType<typeof ringingDevice>];
    const [ourA, ourB] = [ours(a), ours(b)];
    ourA.setConnectionState('connected');
    const made = webrtc.peerConnections.length;

    server.push('call.accepted', { callId: CALL_ID, leg: LEG_A });
    await pass();
    expect(sentTracks(ourA)).toEqual(['audio']);
    expect(descriptions(a.received, 'offer')).toEqual([]); // no renegotiation
    expect(ourB.connectionState).toBe('closed');
    expect(webrtc.peerConnections).toHaveLength(made);
    expect(last()).toMatchObject({ phase: 'active' });

    // A late signal from the device that did not answer does not reach the call's connection.
    const before = ourA.remoteCandidates.length;
    server.push('call.signal', {
      callId: CALL_ID,
      leg: LEG_B,
      signal: { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.9 9 typ host' } },
    });
    await pass();
    expect(ourA.remoteCandidates).toHaveLength(before);
  });

  it('answered before that device’s offer got here: waits for it and answers it, offering nothing itself', async () => {
    const { devices } = await ringingTwice();
    const c = ringingDevice(LEG_C);
    server.relay = (signal, leg) => {
      const to = [...devices, c].find((d) => d.leg === leg);
      to?.received.push(signal);
      void to?.peer.receive(signal);
    };
    const made = webrtc.peerConnections.length;
    server.push('call.accepted', { callId: CALL_ID, leg: LEG_C });
    await pass(LATE_OFFER_WAIT_MS / 2);
    expect(webrtc.peerConnections).toHaveLength(made); // no connection of its own, no offer

    c.peer.prepareToSend(['audio']); // its offer arrives now
    await pass();
    expect(descriptions(c.received, 'answer')).toHaveLength(1);
    expect(c.pc.signalingState).toBe('stable');
    const ours = webrtc.peerConnections.at(-1)!;
    expect(sentTracks(ours)).toEqual(['audio']);
    expect(descriptions(c.received, 'offer')).toEqual([]);
  });

  it('offers on a connection of its own when that device’s offer does not come in time', async () => {
    await ringingTwice();
    const made = webrtc.peerConnections.length;
    server.push('call.accepted', { callId: CALL_ID, leg: LEG_C });
    await pass(LATE_OFFER_WAIT_MS - 1);
    expect(webrtc.peerConnections).toHaveLength(made);
    await pass(1);
    expect(webrtc.peerConnections).toHaveLength(made + 1);
    const offers = server
      .sentOf('call.signal')
      .filter((s) => s.signal.kind === 'description' && s.signal.description.type === 'offer');
    expect(offers).toHaveLength(1);
  });

  it('makes a new connection and offers when the answering device had not connected early', async () => {
    const { devices, ours } = await ringingTwice();
    const late = new PeerSession({
      polite: true,
      awaitFirstOffer: true,
      iceServers: [],
      relayOnly: false,
      send: (signal) => server.push('call.signal', { callId: CALL_ID, signal }),
    });
    const offers: Signal[] = [];
    server.relay = (signal) => {
      offers.push(signal);
      void late.receive(signal);
    };
    const lateMic = new FakeTrack('audio', 'bobs-mic');
    late.sendTrack(
      lateMic as unknown as MediaStreamTrack,
      new FakeMediaStream([lateMic]) as unknown as MediaStream,
    );

    server.push('call.accepted', { callId: CALL_ID });
    await pass();
    for (const d of devices) expect(ours(d).connectionState).toBe('closed');
    expect(descriptions(offers, 'offer')).toHaveLength(1);
    expect(pcOf(late).signalingState).toBe('stable');
  });

  it('a cancelled call closes every connection made while it rang', async () => {
    const { devices, ours } = await ringingTwice();
    await engine.hangup();
    server.push('call.ended', { callId: CALL_ID, reason: 'cancelled' });
    await pass();
    for (const d of devices) expect(ours(d).connectionState).toBe('closed');
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID }]);
  });
});

describe('ringing while the microphone opens', () => {
  it('invites before the microphone is open when it is allowed, and cancels if it then fails', async () => {
    webrtc.devices.devices.audio = []; // allowed, but there is no microphone
    await engine.call(bob, 'audio');
    expect(server.sentOf('call.invite')).toEqual([{ callee: 'bob', media: 'audio' }]);
    expect(server.sentOf('call.cancel')).toEqual([{ callId: CALL_ID }]);
    expect(last()).toBeNull();
  });
});
