/**
 * Browser WebRTC stand-ins for unit tests that run in Node: RTCPeerConnection, MediaStream, tracks and
 * getUserMedia. `installFakeWebRtc()` puts them where the call code looks (globalThis) and returns handles
 * the test drives: every peer connection made, and the devices getUserMedia opens.
 *
 * The peer connection does what the call code relies on, the way Chromium does it: offers and answers with
 * one m-line per transceiver (`a=mid`, a direction, an `a=ice-ufrag` that changes on an ICE restart),
 * `negotiationneeded` fired asynchronously and only while stable, implicit offers and answers from
 * `setLocalDescription()`, rollback (explicit, and implicit when a remote offer meets a local one), a remote
 * offer's m-lines joining transceivers that addTrack made, `track` on the first remote m-line that sends and
 * the remote track muting while it does not. What the network would do is the test's: `emitCandidate`,
 * `setConnectionState`, `setMediaFlowing` (inbound packets in getStats). The SDP is not real SDP beyond these
 * lines.
 */
import { vi } from 'vitest';
import { FakeMediaDevices, FakeMediaStream, FakeTrack, nextId } from './fake-media.js';

type Direction = RTCRtpTransceiverDirection;
const sends = (d: Direction | null) => d === 'sendrecv' || d === 'sendonly';
const receives = (d: Direction | null) => d === 'sendrecv' || d === 'recvonly';
const directionOf = (send: boolean, receive: boolean): Direction =>
  send ? (receive ? 'sendrecv' : 'sendonly') : receive ? 'recvonly' : 'inactive';

class FakeSender {
  /** What `setParameters` last set: one encoding, as Chromium has for a camera sent without simulcast. */
  private parameters: { encodings: { scaleResolutionDownBy?: number }[] } = { encodings: [{}] };

  constructor(public track: FakeTrack | null) {}

  getParameters(): { encodings: { scaleResolutionDownBy?: number }[] } {
    return structuredClone(this.parameters);
  }

  async setParameters(parameters: { encodings: { scaleResolutionDownBy?: number }[] }): Promise<void> {
    this.parameters = structuredClone(parameters);
  }

  /** How much the picture sent is scaled down by (1: full size). */
  get scale(): number {
    return this.parameters.encodings[0]?.scaleResolutionDownBy ?? 1;
  }
  /** Swaps what is sent, no renegotiation (what a device switch relies on). */
  async replaceTrack(track: FakeTrack | null): Promise<void> {
    this.track = track;
  }
  setStreams(): void {}
}

export class FakeTransceiver {
  mid: string | null = null;
  currentDirection: Direction | 'stopped' | null = null;
  readonly sender: FakeSender;
  readonly receiver: { track: FakeTrack };
  /** The direction this side wrote for it in its last local description (negotiation-needed compares). */
  described: Direction | null = null;
  /** Whether `track` fired for it (the first time the remote side sent on it). */
  fired = false;

  constructor(
    readonly kind: 'audio' | 'video',
    private wanted: Direction,
    track: FakeTrack | null,
    /** Tells the peer connection, which may now need to negotiate. */
    private readonly changed: () => void,
  ) {
    this.sender = new FakeSender(track);
    this.receiver = { track: new FakeTrack(kind, 'remote') };
  }

  get direction(): Direction {
    return this.wanted;
  }

  set direction(direction: Direction) {
    this.wanted = direction;
    this.changed();
  }
}

interface MLine {
  kind: 'audio' | 'video';
  mid: string;
  direction: Direction;
}

/** The m-lines and the ICE username fragment of a description made by FakeRTCPeerConnection. */
export function parseSdp(sdp: string): { ufrag: string; mLines: MLine[] } {
  const ufrag = /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? '';
  const mLines = [...sdp.matchAll(/m=(audio|video)[^\n]*\na=mid:(\S+)\na=(\w+)/g)].map((m) => ({
    kind: m[1] as 'audio' | 'video',
    mid: m[2]!,
    direction: m[3] as Direction,
  }));
  return { ufrag, mLines };
}

export class FakeRTCPeerConnection {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null;
  ontrack: ((e: { track: FakeTrack; transceiver: FakeTransceiver }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  /** Candidates the far side sent, as added. */
  readonly remoteCandidates: RTCIceCandidateInit[] = [];
  private readonly transceivers: FakeTransceiver[] = [];
  private ufrag = `ufrag${nextId()}`;
  private restartPending = false;
  private nextMid = 0;
  private negotiationQueued = false;
  private beforeOffer: { t: FakeTransceiver; mid: string | null; described: Direction | null }[] = [];
  private stableLocal: RTCSessionDescriptionInit | null = null;
  private flow = { packets: 0, since: null as number | null, lastAt: null as number | null };

  constructor(public configuration: RTCConfiguration) {
    FakeRTCPeerConnection.made.push(this);
  }

  /** Every peer connection made since the fakes were installed. */
  static made: FakeRTCPeerConnection[] = [];

  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  getSenders(): FakeSender[] {
    return this.transceivers.map((t) => t.sender);
  }

  addTrack(track: FakeTrack): FakeSender {
    // Like Chromium: a transceiver of the kind that never sent (made by a remote offer) is reused.
    const reusable = this.transceivers.find(
      (t) => t.kind === track.kind && !t.sender.track && t.described !== null && !sends(t.direction),
    );
    const t = reusable ?? this.transceiver(track.kind, 'sendrecv', track);
    if (reusable) {
      t.sender.track = track;
      t.direction = directionOf(true, receives(t.direction));
    } else this.transceivers.push(t);
    this.updateNegotiationNeeded();
    return t.sender;
  }

  /**
   * A transceiver of its own: with no track (the offer of a connection made while the call rings), or
   * sending a track with the encodings given (a camera that starts small).
   */
  addTransceiver(
    trackOrKind: FakeTrack | 'audio' | 'video',
    init: { direction?: Direction; sendEncodings?: { scaleResolutionDownBy?: number }[] } = {},
  ): FakeTransceiver {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const t = this.transceiver(
      track?.kind ?? (trackOrKind as 'audio' | 'video'),
      init.direction ?? 'sendrecv',
      track,
    );
    if (init.sendEncodings) void t.sender.setParameters({ encodings: init.sendEncodings });
    this.transceivers.push(t);
    this.updateNegotiationNeeded();
    return t;
  }

  restartIce(): void {
    this.restartPending = true;
    this.updateNegotiationNeeded();
  }

  async setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    this.throwIfClosed();
    if (description?.type === 'rollback') return this.rollback();
    if (this.signalingState === 'stable') {
      this.beforeOffer = this.transceivers.map((t) => ({ t, mid: t.mid, described: t.described }));
      if (this.restartPending) this.ufrag = `ufrag${nextId()}`;
      this.restartPending = false;
      for (const t of this.transceivers) {
        t.mid ??= String(this.nextMid++);
        t.described = t.direction;
      }
      this.localDescription = {
        type: 'offer',
        sdp: this.sdp(this.transceivers.map((t) => [t, t.direction])),
      };
      this.signalingState = 'have-local-offer';
      return;
    }
    if (this.signalingState !== 'have-remote-offer')
      throw invalidState(`no answer in ${this.signalingState}`);
    const offered = parseSdp(this.remoteDescription?.sdp ?? '').mLines;
    const lines = offered.map(({ mid, direction }): [FakeTransceiver, Direction] => {
      const t = this.byMid(mid)!;
      t.described = t.direction;
      const answered = directionOf(
        sends(t.direction) && receives(direction),
        receives(t.direction) && sends(direction),
      );
      t.currentDirection = answered;
      return [t, answered];
    });
    this.localDescription = this.stableLocal = { type: 'answer', sdp: this.sdp(lines) };
    this.signalingState = 'stable';
    this.updateNegotiationNeeded();
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    this.throwIfClosed();
    const { mLines } = parseSdp(description.sdp ?? '');
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') this.rollback(); // perfect negotiation's implicit rollback
      if (this.signalingState !== 'stable') throw invalidState(`no remote offer in ${this.signalingState}`);
      for (const line of mLines) {
        let t = this.byMid(line.mid);
        // A transceiver addTrack made, not yet in any description, joins the offer's m-line of its kind.
        t ??= this.transceivers.find((x) => x.mid === null && x.kind === line.kind);
        if (!t) this.transceivers.push((t = this.transceiver(line.kind, 'recvonly', null)));
        t.mid = line.mid;
        this.nextMid = Math.max(this.nextMid, Number(line.mid) + 1);
      }
      this.remoteDescription = description;
      this.signalingState = 'have-remote-offer';
    } else {
      if (this.signalingState !== 'have-local-offer')
        throw invalidState(`no answer expected in ${this.signalingState}`);
      for (const line of mLines) {
        const t = this.byMid(line.mid);
        if (t) t.currentDirection = directionOf(receives(line.direction), sends(line.direction));
      }
      this.remoteDescription = description;
      this.stableLocal = this.localDescription;
      this.signalingState = 'stable';
    }
    for (const line of mLines) {
      const t = this.byMid(line.mid);
      if (t) this.remoteSending(t, sends(line.direction));
    }
    if (this.signalingState === 'stable') this.updateNegotiationNeeded();
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    await Promise.resolve();
    this.throwIfClosed();
    if (!this.remoteDescription) throw invalidState('no remote description yet');
    this.remoteCandidates.push(candidate);
  }

  async getStats(): Promise<Map<string, { type: string; [key: string]: unknown }>> {
    await Promise.resolve();
    const now = Date.now();
    const { since, lastAt } = this.flow;
    const packets = this.flow.packets + (since === null ? 0 : Math.floor((now - since) / 20));
    const last = since === null ? lastAt : now;
    const report = new Map<string, { type: string; [key: string]: unknown }>();
    report.set('IT-audio', {
      type: 'inbound-rtp',
      kind: 'audio',
      timestamp: now,
      packetsReceived: packets,
      packetsLost: 0,
      bytesReceived: packets * 100,
      ...(last === null ? {} : { lastPacketReceivedTimestamp: last }),
    });
    return report;
  }

  close(): void {
    this.signalingState = 'closed';
    this.connectionState = 'closed';
    for (const t of this.transceivers) t.currentDirection = 'stopped';
  }

  // ---- The network's side, driven by the test --------------------------------------------------------

  /** A local ICE candidate was gathered. */
  emitCandidate(candidate = `candidate:${nextId()} 1 udp 2122260223 192.0.2.1 50000 typ host`): void {
    const init = { candidate, sdpMid: '0', sdpMLineIndex: 0 };
    this.onicecandidate?.({ candidate: { toJSON: () => init } });
  }

  setConnectionState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  /** Inbound media starts or stops arriving: 50 audio packets a second, as Opus sends, while it flows. */
  setMediaFlowing(flowing: boolean): void {
    const now = Date.now();
    const { since } = this.flow;
    if (flowing && since === null) this.flow.since = now;
    if (!flowing && since !== null) {
      this.flow = { packets: this.flow.packets + Math.floor((now - since) / 20), since: null, lastAt: now };
    }
  }

  /** What this side would put on the wire for its current local description. */
  get localUfrag(): string {
    return parseSdp(this.localDescription?.sdp ?? '').ufrag;
  }

  private transceiver(kind: 'audio' | 'video', direction: Direction, track: FakeTrack | null) {
    return new FakeTransceiver(kind, direction, track, () => this.updateNegotiationNeeded());
  }

  private byMid(mid: string): FakeTransceiver | undefined {
    return this.transceivers.find((t) => t.mid === mid);
  }

  private rollback(): void {
    if (this.signalingState !== 'have-local-offer')
      throw invalidState(`no rollback in ${this.signalingState}`);
    for (const { t, mid, described } of this.beforeOffer) Object.assign(t, { mid, described });
    this.localDescription = this.stableLocal;
    this.signalingState = 'stable';
    this.updateNegotiationNeeded();
  }

  private remoteSending(t: FakeTransceiver, remoteSends: boolean): void {
    if (remoteSends && !t.fired) {
      t.fired = true;
      this.ontrack?.({ track: t.receiver.track, transceiver: t });
    } else if (t.fired) t.receiver.track.setMuted(!remoteSends);
  }

  private negotiationNeeded(): boolean {
    return this.restartPending || this.transceivers.some((t) => t.described !== t.direction);
  }

  /** Queued like the browser's task: fired once the current work is done, only if still stable and needed. */
  private updateNegotiationNeeded(): void {
    if (this.negotiationQueued || this.signalingState !== 'stable' || !this.negotiationNeeded()) return;
    this.negotiationQueued = true;
    queueMicrotask(() => {
      this.negotiationQueued = false;
      if (this.signalingState === 'stable' && this.negotiationNeeded()) this.onnegotiationneeded?.();
    });
  }

  private sdp(lines: [FakeTransceiver, Direction][]): string {
    const media = lines.map(([t, d]) => `m=${t.kind} 9 UDP/TLS/RTP/SAVPF 0\na=mid:${t.mid}\na=${d}\n`);
    return `v=0\na=ice-ufrag:${this.ufrag}\n${media.join('')}`;
  }

  private throwIfClosed(): void {
    if (this.signalingState === 'closed') throw invalidState('closed');
  }
}

const invalidState = (message: string) => Object.assign(new Error(message), { name: 'InvalidStateError' });

export interface FakeWebRtc {
  devices: FakeMediaDevices;
  /** Every peer connection made, in order. */
  peerConnections: FakeRTCPeerConnection[];
}

/** Puts the fakes on globalThis (undo with `vi.unstubAllGlobals()`); each call starts afresh. */
export function installFakeWebRtc(): FakeWebRtc {
  const devices = new FakeMediaDevices();
  FakeRTCPeerConnection.made = [];
  vi.stubGlobal('RTCPeerConnection', FakeRTCPeerConnection);
  vi.stubGlobal('MediaStream', FakeMediaStream);
  // Permission as Chromium reports it: denied once refused, granted otherwise (as in the e2e browsers); a
  // live status, like the browser's, whose state follows the devices' refusals.
  const permissions = {
    query: async ({ name }: { name: string }) => ({
      get state() {
        return devices.denied.has(name === 'camera' ? 'video' : 'audio') ? 'denied' : 'granted';
      },
    }),
  };
  vi.stubGlobal('navigator', { mediaDevices: devices, permissions });
  return { devices, peerConnections: FakeRTCPeerConnection.made };
}
