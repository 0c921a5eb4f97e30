/**
 * CallEngine as a peer and the server see it: what it sends (through a fake server that checks every
 * message against the protocol), the CallViews it publishes, and what becomes of the tracks. The far side
 * is a real PeerSession on a fake RTCPeerConnection, so offers and answers are negotiated for real; the
 * network (candidates, connection state, packets arriving) is the test's. Timers are Vitest's fake ones.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallSnapshot, Signal } from '../../signaling/protocol/index.js';
import type { RequestOutcome } from '../net/signaling-client.js';
import { CALL_ID, FakeSignaling } from '../test-support/fake-signaling.js';
import { memoryStore } from '../test-support/memory-store.js';
import { FakeMediaStream, FakeTrack } from '../test-support/fake-media.js';
import {
  installFakeWebRtc,
  parseSdp,
  type FakeRTCPeerConnection,
  type FakeWebRtc,
} from '../test-support/fake-webrtc.js';
import { REPORT_RETRY_MS, UNREPORTED_ENDS_KEY } from './end-reports.js';
import { CallEngine } from './engine.js';
import { FRESH_FOR_CALL_MS } from './ice-config.js';
import { FIRST_READING_MS, QUALITY_INTERVAL_MS } from './media-stats.js';
import { PeerSession } from './peer.js';
import { recoveryTimings as t } from './recovery.js';
import type { CallView } from './view.js';

const bob = { username: 'bob', displayName: 'Bob' };

let webrtc: FakeWebRtc;
let server: FakeSignaling;
let engine: CallEngine;
let storage: ReturnType<typeof memoryStore>;
let views: (CallView | null)[];
let events: { ended: unknown[]; notices: unknown[]; quality: unknown[]; localStreams: unknown[] };

beforeEach(() => {
  vi.useFakeTimers();
  webrtc = installFakeWebRtc();
  server = new FakeSignaling({ unanswered: 'server' });
  storage = memoryStore();
  engine = new CallEngine(server, () => ({ relayOnly: false }), storage);
  views = [];
  events = { ended: [], notices: [], quality: [], localStreams: [] };
  engine.on('call', (view) => views.push(view));
  engine.on('ended', (e) => events.ended.push(e));
  engine.on('notice', (e) => events.notices.push(e));
  engine.on('quality', (q) => events.quality.push(q));
  engine.on('local-stream', (s) => events.localStreams.push(s));
  ready([]); // signed in: the device has its session before any call
});

afterEach(() => {
  engine.dispose();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Lets the promises and timers due within `ms` run. */
const pass = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const last = () => views.at(-1);
const phases = () => views.map((v) => v?.phase ?? 'ended');
/** The server's session.ready to this device (Ann's), with the calls it still has for her. */
const ready = (calls: CallSnapshot[]) =>
  server.push('session.ready', {
    user: { username: 'ann', displayName: 'Ann' },
    deviceId: 'device-of-ann',
    presence: 'busy',
    dnd: false,
    contacts: [],
    unseenMissedCalls: 0,
    calls,
  });

/**
 * The far side (Bob's device): a PeerSession of its own, sending its microphone, joined to the engine
 * through the server's relay. It is polite when the engine called, as the callee is.
 */
function farSide(polite: boolean) {
  const received: Signal[] = [];
  const far = new PeerSession({
    polite,
    awaitFirstOffer: polite,
    iceServers: [],
    relayOnly: false,
    send: (signal) => server.push('call.signal', { callId: CALL_ID, signal }),
  });
  server.relay = (signal) => {
    received.push(signal);
    void far.receive(signal);
  };
  const mic = new FakeTrack('audio', 'bobs-mic');
  far.sendTrack(mic as unknown as MediaStreamTrack, new FakeMediaStream([mic]) as unknown as MediaStream);
  return { far, received, pc: far.pc as unknown as FakeRTCPeerConnection };
}

/** The engine's own peer connection. */
const enginePc = (far: { pc: FakeRTCPeerConnection }) => webrtc.peerConnections.find((pc) => pc !== far.pc)!;
const offersTo = (received: Signal[]) =>
  received.flatMap((s) =>
    s.kind === 'description' && s.description.type === 'offer' ? [s.description] : [],
  );

/** Calls Bob with voice, he answers, and media connects and flows. */
async function activeCall() {
  const bobs = farSide(true);
  await engine.call(bob, 'audio');
  server.push('call.ringing', { callId: CALL_ID, callee: bob });
  server.push('call.accepted', { callId: CALL_ID });
  await pass();
  const pc = enginePc(bobs);
  pc.setMediaFlowing(true);
  pc.setConnectionState('connected');
  await pass(1_000);
  return { ...bobs, pc };
}

describe('CallEngine, ICE servers', () => {
  const turn = (username: string, expiresInMs: number) => () => ({
    ok: true as const,
    iceServers: [{ urls: ['turn:turn.example:3478'], username, credential: 'x' }],
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  });

  it('a call starts with the servers asked for when the session became ready, without asking again', async () => {
    server.answer('ice.servers', turn('session', 3_600_000));
    ready([]);
    await pass();
    const asked = server.sentOf('ice.servers').length;
    const { pc } = await activeCall();
    expect(server.sentOf('ice.servers')).toHaveLength(asked);
    expect(pc.configuration.iceServers).toMatchObject([{ username: 'session' }]);
  });

  it("asks again for a call when the session's TURN credentials would not last half an hour", async () => {
    server.answer('ice.servers', turn('short', FRESH_FOR_CALL_MS - 60_000));
    ready([]);
    await pass();
    server.answer('ice.servers', turn('renewed', 3_600_000));
    const { pc } = await activeCall();
    expect(pc.configuration.iceServers).toMatchObject([{ username: 'renewed' }]);
  });

  it('asks again for a call when the session got no servers', async () => {
    server.answer('ice.servers', () => ({ ok: false, error: { code: 'E_INTERNAL', message: 'no' } }));
    ready([]);
    await pass();
    server.answer('ice.servers', turn('after a failure', 3_600_000));
    const { pc } = await activeCall();
    expect(pc.configuration.iceServers).toMatchObject([{ username: 'after a failure' }]);
  });
});

describe('CallEngine, calling out', () => {
  it('opens the microphone, invites, and shows outgoing → ringing → connecting → active', async () => {
    const bobs = farSide(true);
    await engine.call(bob, 'audio');
    expect(webrtc.devices.live().map((tr) => tr.kind)).toEqual(['audio']);
    expect(server.sentOf('call.invite')).toEqual([{ callee: 'bob', media: 'audio' }]);
    expect(last()).toMatchObject({ callId: CALL_ID, phase: 'outgoing', ringing: false, cameraOn: false });

    server.push('call.ringing', { callId: CALL_ID, callee: bob });
    expect(last()).toMatchObject({ phase: 'outgoing', ringing: true });

    server.push('call.accepted', { callId: CALL_ID });
    await pass();
    expect(last()).toMatchObject({ phase: 'connecting', ringing: false });
    // The caller offers its microphone; Bob's answer came back and both sides are stable.
    expect(offersTo(bobs.received)).toHaveLength(1);
    expect(parseSdp(offersTo(bobs.received)[0]!.sdp).mLines).toEqual([
      { kind: 'audio', mid: '0', direction: 'sendrecv' },
    ]);
    const pc = enginePc(bobs);
    expect(pc.signalingState).toBe('stable');
    expect(pc.configuration.iceServers).toEqual([{ urls: ['stun:stun.example:3478'] }]);

    pc.emitCandidate('candidate:7 1 udp 2122260223 192.0.2.7 50000 typ host');
    await pass();
    expect(bobs.pc.remoteCandidates.map((c) => c.candidate)).toEqual([
      'candidate:7 1 udp 2122260223 192.0.2.7 50000 typ host',
    ]);

    const before = Date.now();
    pc.setConnectionState('connected');
    expect(last()).toMatchObject({ phase: 'active', connectedAt: before });
    expect(phases()).toEqual(['outgoing', 'outgoing', 'outgoing', 'connecting', 'active']);
    expect(engine.timings?.stages).toMatchObject({
      'invite-sent': 0,
      ringing: 0,
      offer: 0,
      'ice-connected': 0,
    });
  });

  it('with the microphone allowed, sends the invite at once, before anything waits', async () => {
    await pass(); // the microphone's permission is known
    const calling = engine.call(bob, 'video');
    expect(server.sentOf('call.invite')).toEqual([{ callee: 'bob', media: 'video' }]);
    await calling;
    expect(webrtc.devices.live().map((tr) => tr.kind)).toEqual(['audio', 'video']);
  });

  it('ends as refused when the microphone is denied: nobody is rung', async () => {
    webrtc.devices.denied.add('audio');
    await engine.call(bob, 'audio');
    expect(events.notices).toEqual([{ code: 'E_MEDIA_DENIED', message: 'microphone' }]);
    expect(events.ended).toEqual([{ callId: null, peer: bob, reason: 'refused' }]);
    expect(server.sentOf('call.invite')).toEqual([]);
    expect(last()).toBeNull();
  });

  it('carries on with voice when the camera is denied, and says so', async () => {
    webrtc.devices.denied.add('video');
    await engine.call(bob, 'video');
    expect(events.notices).toEqual([{ code: 'E_MEDIA_DENIED', message: 'camera' }]);
    expect(server.sentOf('call.invite')).toEqual([{ callee: 'bob', media: 'video' }]);
    expect(last()).toMatchObject({ phase: 'outgoing', cameraOn: false });
  });

  it('cancels the invite the server is already ringing when hung up before it was answered', async () => {
    let answerInvite!: () => void;
    server.answer('call.invite', () => ({ ok: true, callId: CALL_ID }));
    const invited = new Promise<void>((resolve) => (answerInvite = resolve));
    const original = server.request.bind(server);
    vi.spyOn(server, 'request').mockImplementation(async (event, payload, options) => {
      if (event === 'call.invite') await invited;
      return original(event, payload, options);
    });
    const calling = engine.call(bob, 'audio');
    await pass();
    await engine.hangup();
    expect(events.ended).toEqual([{ callId: null, peer: bob, reason: 'cancelled' }]);
    answerInvite();
    await calling;
    expect(server.sentOf('call.cancel')).toEqual([{ callId: CALL_ID }]);
    expect(webrtc.devices.live()).toEqual([]);
  });
});

describe('CallEngine, called', () => {
  it('rings, and on Accept opens microphone and camera, accepts, and answers the caller’s offer without offering', async () => {
    server.push('call.incoming', { callId: CALL_ID, caller: bob, media: 'video', ringTimeoutMs: 30_000 });
    expect(last()).toMatchObject({ direction: 'incoming', phase: 'incoming', ringing: true, peer: bob });

    await engine.accept('video');
    expect(webrtc.devices.live().map((tr) => tr.kind)).toEqual(['audio', 'video']);
    expect(server.sentOf('call.accept')).toEqual([{ callId: CALL_ID }]);
    expect(last()).toMatchObject({ phase: 'connecting', cameraOn: true });
    await pass();
    expect(server.sentOf('call.signal')).toEqual([]); // the callee waits for the caller's offer

    // call.accepted reached Bob: his side (the impolite one) offers his microphone.
    const bobs = farSide(false);
    await pass();
    const sent = server.sentOf('call.signal').map(({ signal }) => signal);
    const types = sent.map((s) => (s.kind === 'description' ? s.description.type : s.kind));
    // Our microphone joined his audio m-line in the answer; our camera needed one more offer, ours.
    expect(types).toEqual(['answer', 'offer']);
    expect(bobs.pc.signalingState).toBe('stable');
    expect(parseSdp(bobs.pc.remoteDescription!.sdp!).mLines.map((m) => [m.kind, m.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
  });

  it('declines the ringing call, and ends when the server says so, with nothing left open', async () => {
    server.push('call.incoming', { callId: CALL_ID, caller: bob, media: 'audio', ringTimeoutMs: 30_000 });
    await engine.decline();
    expect(server.sentOf('call.decline')).toEqual([{ callId: CALL_ID }]);
    server.push('call.ended', { callId: CALL_ID, reason: 'declined' });
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'declined' }]);
    expect(last()).toBeNull();
  });
});

describe('CallEngine, during a call', () => {
  it('reads quality within half a second of media connecting, then every 2 s, and notes the first audio', async () => {
    await activeCall(); // 1 s after media connected
    // The first sample set the baseline; the reading after it came FIRST_READING_MS (500 ms) later.
    expect(FIRST_READING_MS).toBeLessThan(1_000);
    expect(events.quality).toHaveLength(1);
    expect(events.quality[0]).toMatchObject({ lossPercent: 0, grade: 'good' });
    await pass(QUALITY_INTERVAL_MS);
    expect(events.quality).toHaveLength(2);
    expect(engine.timings?.stages['first-audio']).toBeDefined();
  });

  it('switches the microphone with replaceTrack: no new offer, the old one stops', async () => {
    const { pc, received } = await activeCall();
    const oldMic = webrtc.devices.live()[0]!;
    const offers = offersTo(received).length;
    await engine.switchDevice('audio', 'mic-2');
    await pass();
    expect(pc.getSenders().map((s) => s.track?.deviceId)).toEqual(['mic-2']);
    expect(oldMic.readyState).toBe('ended');
    expect(webrtc.devices.live().map((tr) => tr.deviceId)).toEqual(['mic-2']);
    expect(engine.deviceInUse('audio')).toBe('mic-2');
    expect(offersTo(received)).toHaveLength(offers);
  });

  it('closes the new microphone again when the call ends while the switch is under way', async () => {
    const { pc } = await activeCall();
    const sender = pc.getSenders()[0]!;
    let finishSwap!: () => void;
    vi.spyOn(sender, 'replaceTrack').mockImplementation(
      () => new Promise((resolve) => (finishSwap = resolve)),
    );
    const switching = engine.switchDevice('audio', 'mic-2');
    await pass();
    server.push('call.ended', { callId: CALL_ID, reason: 'completed' });
    finishSwap();
    await switching;
    expect(webrtc.devices.live()).toEqual([]);
  });

  it('keeps the old microphone and closes the new one when the switch fails', async () => {
    const { pc } = await activeCall();
    const oldMic = webrtc.devices.live()[0]!;
    vi.spyOn(pc.getSenders()[0]!, 'replaceTrack').mockRejectedValue(new Error('sender gone'));
    await engine.switchDevice('audio', 'mic-2');
    expect(webrtc.devices.live()).toEqual([oldMic]);
    expect(events.notices).toEqual([{ code: 'E_MEDIA_FAILED', message: 'microphone' }]);
  });

  it('keeps a muted microphone muted across a device switch', async () => {
    await activeCall();
    engine.setMuted(true);
    await engine.switchDevice('audio', 'mic-2');
    expect(webrtc.devices.live().map((tr) => [tr.deviceId, tr.enabled])).toEqual([['mic-2', false]]);
    expect(last()).toMatchObject({ muted: true });
  });

  it('turns the camera on in a voice call with one more offer, and off again with its light out', async () => {
    const { received } = await activeCall();
    await engine.setCamera(true);
    await pass();
    expect(last()).toMatchObject({ cameraOn: true });
    const offer = offersTo(received).at(-1)!;
    expect(parseSdp(offer.sdp).mLines.map((m) => [m.kind, m.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
    const camera = webrtc.devices.live().find((tr) => tr.kind === 'video')!;
    await engine.setCamera(false);
    await pass();
    expect(camera.readyState).toBe('ended');
    expect(parseSdp(offersTo(received).at(-1)!.sdp).mLines.at(-1)).toMatchObject({ direction: 'recvonly' });
  });

  it('shows the far side’s camera going on and off', async () => {
    const { far } = await activeCall();
    expect(last()).toMatchObject({ remoteVideo: false });
    const camera = new FakeTrack('video', 'bobs-camera');
    far.sendTrack(
      camera as unknown as MediaStreamTrack,
      new FakeMediaStream([camera]) as unknown as MediaStream,
    );
    await pass();
    expect(last()).toMatchObject({ remoteVideo: true });
    far.stopSending('video');
    await pass();
    expect(last()).toMatchObject({ remoteVideo: false });
  });

  it('ends when the server says so: every track stopped, the connection closed, no timer left', async () => {
    const { pc } = await activeCall();
    server.push('call.ended', { callId: CALL_ID, reason: 'completed' });
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'completed' }]);
    expect(webrtc.devices.live()).toEqual([]);
    expect(pc.signalingState).toBe('closed');
    expect(events.quality.at(-1)).toBeNull();
    expect(events.localStreams.at(-1)).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('CallEngine, when the media path breaks', () => {
  it('shows Reconnecting… after 1.5 s without packets, restarts ICE at 2 s, and hides it when media is back', async () => {
    const { pc, received } = await activeCall();
    const ufrag = parseSdp(offersTo(received).at(-1)!.sdp).ufrag;
    pc.setMediaFlowing(false);
    await pass(t.stallMs - t.sampleMs);
    expect(last()).toMatchObject({ reconnecting: false });
    await pass(t.sampleMs);
    expect(last()).toMatchObject({ reconnecting: true, phase: 'active' });
    expect(offersTo(received).map((o) => parseSdp(o.sdp).ufrag)).toEqual([ufrag]);
    await pass(t.restartAfterMs - t.stallMs);
    // The ICE restart offer reached Bob, with new ICE credentials.
    const restart = offersTo(received).at(-1)!;
    expect(parseSdp(restart.sdp).ufrag).not.toBe(ufrag);
    pc.setMediaFlowing(true);
    await pass(t.sampleMs);
    expect(last()).toMatchObject({ reconnecting: false });
    expect(server.sentOf('call.hangup')).toEqual([]);
  });

  it('restarts ICE at once when the browser says the connection is disconnected', async () => {
    const { pc, received } = await activeCall();
    const offers = offersTo(received).length;
    pc.setMediaFlowing(false);
    pc.setConnectionState('disconnected');
    await pass(t.suspectMs + t.sampleMs);
    expect(offersTo(received)).toHaveLength(offers + 1);
    expect(last()).toMatchObject({ reconnecting: true });
  });

  it('renews TURN credentials that expire within a minute before restarting ICE with them', async () => {
    server.answer('ice.servers', () => ({
      ok: true,
      iceServers: [{ urls: ['turn:turn.example:3478'], username: 'old', credential: 'x' }],
      expiresAt: new Date(Date.now() + 30_000).toISOString(),
    }));
    ready([]); // the session's servers are these now
    const { pc } = await activeCall();
    expect(pc.configuration.iceServers).toMatchObject([{ username: 'old' }]);
    server.answer('ice.servers', () => ({
      ok: true,
      iceServers: [{ urls: ['turn:turn.example:3478'], username: 'new', credential: 'y' }],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    }));
    pc.setMediaFlowing(false);
    await pass(t.restartAfterMs);
    expect(pc.configuration.iceServers).toEqual([
      { urls: ['turn:turn.example:3478'], username: 'new', credential: 'y' },
    ]);
  });

  it('replaces a signaling connection that no longer answers while media is away', async () => {
    const { pc } = await activeCall();
    pc.setMediaFlowing(false);
    server.dead = true;
    await pass(t.suspectMs + t.sampleMs);
    expect(server.reconnects).toBe(0);
    await pass(1_000); // the probe's timeout
    expect(server.reconnects).toBe(1);
  });

  it('leaves a live signaling connection alone', async () => {
    const { pc } = await activeCall();
    pc.setMediaFlowing(false);
    await pass(t.stallMs + 1_000);
    expect(server.sent.filter((r) => r.event === 'ice.servers' && r.timeoutMs === 1_000)).not.toEqual([]);
    expect(server.reconnects).toBe(0);
  });

  it('ends as failed when no media arrives within 20 s of answering', async () => {
    farSide(true);
    await engine.call(bob, 'audio');
    server.push('call.accepted', { callId: CALL_ID });
    await pass(t.connectTimeoutMs - t.sampleMs);
    expect(events.ended).toEqual([]);
    await pass(t.sampleMs);
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID, reason: 'failed' }]);
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'failed', code: 'E_ICE_FAILED' }]);
  });

  it('ends as failed, for both sides, after 30 s without media', async () => {
    const { pc } = await activeCall();
    pc.setMediaFlowing(false);
    await pass(t.giveUpMs - t.sampleMs);
    expect(events.ended).toEqual([]);
    await pass(t.sampleMs);
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID, reason: 'failed' }]);
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'failed', code: 'E_ICE_FAILED' }]);
    expect(webrtc.devices.live()).toEqual([]);
    expect(pc.signalingState).toBe('closed');
  });

  it('counts an ICE restart offer from the far side as its own restart, so the two do not cross', async () => {
    const { pc, far, received } = await activeCall();
    const offers = offersTo(received).length;
    pc.setMediaFlowing(false);
    await pass(t.restartAfterMs - t.sampleMs);
    await far.restartIce(); // Bob's side restarted first
    await pass(t.sampleMs);
    expect(offersTo(received)).toHaveLength(offers); // ours waits its turn
    await pass(t.retryMs);
    expect(offersTo(received)).toHaveLength(offers + 1);
  });

  it('shows Reconnecting… while the far side’s device is away, and restarts ICE when it is back if media stopped', async () => {
    const { pc, received } = await activeCall();
    const offers = offersTo(received).length;
    server.push('call.peer', { callId: CALL_ID, connected: false });
    expect(last()).toMatchObject({ peerConnected: false });
    pc.setMediaFlowing(false);
    await pass(t.suspectMs + t.sampleMs); // silent, not yet restarted by the path watch itself
    server.push('call.peer', { callId: CALL_ID, connected: true });
    await pass();
    expect(last()).toMatchObject({ peerConnected: true });
    expect(offersTo(received)).toHaveLength(offers + 1);
  });

  it('leaves a path alone whose media flows when the far side’s device comes back (only its signaling dropped)', async () => {
    const { received } = await activeCall();
    const offers = offersTo(received).length;
    server.push('call.peer', { callId: CALL_ID, connected: false });
    server.push('call.peer', { callId: CALL_ID, connected: true });
    await pass(t.sampleMs * 2);
    expect(last()).toMatchObject({ peerConnected: true, reconnecting: false });
    expect(offersTo(received)).toHaveLength(offers);
  });
});

describe('CallEngine, after the server connection came back (session.ready)', () => {
  const snapshot = (changes: Partial<CallSnapshot> = {}): CallSnapshot => ({
    callId: CALL_ID,
    role: 'caller',
    peer: bob,
    media: 'audio',
    state: 'active',
    boundHere: true,
    ...changes,
  });
  it('resumes a call that is still ours, with an ICE restart only if media stopped too', async () => {
    const { pc, received } = await activeCall();
    const offers = offersTo(received).length;
    ready([snapshot()]);
    await pass();
    expect(offersTo(received)).toHaveLength(offers);
    expect(last()).toMatchObject({ phase: 'active' });
    pc.setMediaFlowing(false);
    await pass(t.suspectMs + t.sampleMs);
    ready([snapshot()]);
    await pass();
    expect(offersTo(received)).toHaveLength(offers + 1);
  });

  it('goes on while the server is away and says so; a hang-up then ends it at once and is reported when the server is back', async () => {
    await activeCall();
    server.away(true);
    expect(last()).toMatchObject({ phase: 'active', signalingDown: true });
    await pass(5_000);
    expect(events.ended).toEqual([]); // media flows: nothing ends the call
    await engine.hangup();
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'completed' }]);
    expect(webrtc.devices.live()).toEqual([]);
    await pass(3_000);
    server.away(false);
    ready([snapshot()]);
    await pass();
    // Reported, not hung up now: the server ends it when it really ended (3 s ago).
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID }]);
    expect(server.sentOf('call.reportEnd')).toEqual([
      { callId: CALL_ID, reason: 'completed', endedMsAgo: 3_000 },
    ]);
    ready([]);
    await pass();
    expect(server.sentOf('call.reportEnd')).toHaveLength(1); // answered: not again
  });

  it('a hang-up ends the call at once while the server has not answered it; a call placed meanwhile invites once it has', async () => {
    const { pc } = await activeCall();
    server.dead = true; // a server that does not answer (stalled, or a connection that died unseen)
    const hangingUp = engine.hangup();
    await pass();
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'completed' }]);
    expect(webrtc.devices.live()).toEqual([]); // the microphone is off now, not after the request's timeout
    expect(pc.connectionState).toBe('closed');
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID }]);

    // The server still counts us in that call until it has the hang-up: the next invite waits for it.
    const calling = engine.call(bob, 'audio');
    await pass();
    server.dead = false;
    expect(last()).toMatchObject({ phase: 'outgoing', callId: null });
    expect(server.sentOf('call.invite')).toHaveLength(1); // the first call's
    await pass(10_000); // the hang-up's timeout: unanswered
    await hangingUp;
    await calling;
    expect(server.sentOf('call.invite')).toHaveLength(2);
    expect(last()).toMatchObject({ phase: 'outgoing', callId: CALL_ID });
    // Unanswered: kept, to be told when the server is back.
    expect(JSON.parse(storage.data.get(UNREPORTED_ENDS_KEY)!)).toEqual([
      expect.objectContaining({ callId: CALL_ID, reason: 'completed' }),
    ]);
  });

  it('ends a call at once when the server cannot reach its storage (E_UNAVAILABLE), and reports it until the server takes it', async () => {
    await activeCall();
    let storageBack = false;
    const unavailable = { ok: false, error: { code: 'E_UNAVAILABLE', message: 'storage' } } as const;
    server.answer('call.hangup', () => unavailable);
    server.answer('call.reportEnd', () =>
      storageBack ? ({ ok: true } as RequestOutcome<'call.reportEnd'>) : unavailable,
    );
    await engine.hangup();
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'completed' }]);
    await pass(REPORT_RETRY_MS);
    expect(server.sentOf('call.reportEnd')).toEqual([
      { callId: CALL_ID, reason: 'completed', endedMsAgo: REPORT_RETRY_MS },
    ]);
    storageBack = true;
    await pass(REPORT_RETRY_MS);
    expect(server.sentOf('call.reportEnd')).toHaveLength(2); // refused once, taken the second time
    expect(storage.data.get(UNREPORTED_ENDS_KEY)).toBeUndefined();
    await pass(REPORT_RETRY_MS);
    expect(server.sentOf('call.reportEnd')).toHaveLength(2);
  });

  it('keeps an end the server did not see across a reload: the next page reports it instead of hanging up', async () => {
    await activeCall();
    server.away(true);
    await engine.hangup();
    engine.dispose();
    await pass(3_000);
    const reloaded = new CallEngine(server, () => ({ relayOnly: false }), storage);
    server.away(false);
    ready([snapshot()]);
    await pass();
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID }]); // only the one the server missed
    expect(server.sentOf('call.reportEnd')).toEqual([
      { callId: CALL_ID, reason: 'completed', endedMsAgo: 3_000 },
    ]);
    expect(storage.data.get(UNREPORTED_ENDS_KEY)).toBeUndefined(); // told: forgotten
    reloaded.dispose();
  });

  it('leaves another device’s unreported end to it, and ignores what it cannot read', async () => {
    const theirs = {
      callId: 'call-id-of-other-tab01',
      reason: 'completed',
      endedAt: Date.now(),
      deviceId: 'other-tab',
    };
    storage.data.set(UNREPORTED_ENDS_KEY, JSON.stringify([theirs, { callId: 7 }, 'junk']));
    ready([snapshot()]);
    await pass();
    expect(server.sentOf('call.reportEnd')).toEqual([]);
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID }]); // ours to end: it was carried here
    storage.data.set(UNREPORTED_ENDS_KEY, '{not json');
    ready([]);
    expect(server.sentOf('call.reportEnd')).toEqual([]);
  });

  it('ends a call the server no longer has as connection lost', async () => {
    await activeCall();
    ready([]);
    expect(events.ended).toEqual([{ callId: CALL_ID, peer: bob, reason: 'connection-lost' }]);
    expect(webrtc.devices.live()).toEqual([]);
  });

  it('hangs up a call this device carried before a reload, and rings for one still ringing', async () => {
    const ringing = 'call-id-still-ringing1';
    ready([snapshot(), snapshot({ callId: ringing, role: 'callee', state: 'ringing', boundHere: false })]);
    expect(server.sentOf('call.hangup')).toEqual([{ callId: CALL_ID }]);
    expect(last()).toMatchObject({ callId: ringing, phase: 'incoming', ringing: true });
  });
});
