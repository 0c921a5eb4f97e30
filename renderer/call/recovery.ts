/**
 * Watching a call's media path and deciding how to get it back. Fed a sample
 * of the peer connection every `sampleMs` (inbound RTP packets so far, how
 * long ago the last one came, the connection state), it answers what to do
 * now: check that the signaling connection still answers, tell the person the
 * call is reconnecting, restart ICE, say it recovered, or give up.
 *
 * Why not just the browser's connection state: Chromium calls a path
 * `disconnected` only after 5 unanswered checks over 5 s, `failed` after 15 s
 * and drops it after 30 s (libwebrtc's CONNECTION_WRITE_CONNECT_TIMEOUT,
 * CONNECTION_WRITE_TIMEOUT, DEAD_CONNECTION_RECEIVE_TIMEOUT); measured on a
 * blocked path here: `disconnected` 6 to 9 s after the block. Audio alone
 * arrives as 50 packets a second (20 ms Opus frames; a muted microphone still
 * sends them), so a silence of `stallMs` (75 packets in a row missing) is a
 * lost path, not random loss. It is measured from the stats themselves (the
 * report's time minus `lastPacketReceivedTimestamp`), so a slow getStats on
 * a busy machine does not look like silence. On a 2-core machine at load 15
 * the longest silence of a healthy call was 1 s in a minute, and 1.25 s
 * still showed a false "Reconnecting…" now and then at load 15 to 25: 1.5 s.
 *
 * An ICE restart needs signaling, and after a network change the signaling
 * connection is as dead as the media path without knowing it: so the first
 * half second of silence already asks for a check of it (cheap, harmless when
 * all is well), and a dead one is replaced while the path is still only
 * suspect.
 *
 * Pure: no timers and no browser objects, so it is tested without either.
 */
import type { StatLike } from './quality.js';

export interface RecoveryTimings {
  /** How often the engine samples. */
  sampleMs: number;
  /** No inbound packet for this long: check that signaling still answers. */
  suspectMs: number;
  /** No inbound packet for this long: the path is down ("Reconnecting…"). */
  stallMs: number;
  /** Down for this long (or the browser says `disconnected`/`failed`): restart ICE. */
  restartAfterMs: number;
  /** While still down, restart again this long after the last restart (its offer may be lost). */
  retryMs: number;
  /** No media ever arrived this long after the peer connection started: the call cannot connect. */
  connectTimeoutMs: number;
  /** Down this long in the middle of a call: give up. */
  giveUpMs: number;
}

export const recoveryTimings: RecoveryTimings = {
  sampleMs: 250,
  suspectMs: 500,
  stallMs: 1_500,
  restartAfterMs: 2_000,
  retryMs: 4_000,
  connectTimeoutMs: 20_000,
  giveUpMs: 30_000,
};

export interface PathSample {
  /** Epoch ms of the sample. */
  at: number;
  /** Inbound RTP packets of every stream so far (getStats `inbound-rtp` packetsReceived, summed). */
  packetsReceived: number;
  /**
   * How long before the report no packet had arrived (its timestamp minus the latest
   * `lastPacketReceivedTimestamp`), where the browser says; else silence is counted between samples.
   */
  silenceMs?: number | undefined;
  state: RTCPeerConnectionState;
}

/** A sample from a getStats report (`at`: now, epoch ms; `state`: the connection's). */
export function pathSampleOf(
  report: Map<string, StatLike>,
  at: number,
  state: RTCPeerConnectionState,
): PathSample {
  let packetsReceived = 0;
  let silenceMs: number | undefined;
  for (const s of report.values()) {
    if (s.type !== 'inbound-rtp') continue;
    packetsReceived += typeof s.packetsReceived === 'number' ? s.packetsReceived : 0;
    if (typeof s.lastPacketReceivedTimestamp !== 'number' || typeof s.timestamp !== 'number') continue;
    // The freshest stream counts: any packet at all means the path works.
    const silence = Math.max(0, s.timestamp - s.lastPacketReceivedTimestamp);
    silenceMs = Math.min(silenceMs ?? silence, silence);
  }
  return { at, packetsReceived, silenceMs, state };
}

export type RecoveryAction = 'check-signaling' | 'reconnecting' | 'restart' | 'recovered' | 'give-up';

const broken = (state: RTCPeerConnectionState) => state === 'disconnected' || state === 'failed';

export class PathWatch {
  private established = false;
  private packets = 0;
  /** When the last inbound packet came (or the watch started). */
  private lastPacketAt: number;
  /** Whether this silence already asked for a signaling check. */
  private checked = false;
  /** When the current outage began (its last packet), or null while media flows. */
  private downSince: number | null = null;
  private lastRestartAt: number | null = null;
  private gaveUp = false;

  constructor(
    startedAt: number,
    private readonly timings: RecoveryTimings = recoveryTimings,
  ) {
    this.lastPacketAt = startedAt;
  }

  /** True while the path is down and being restored. */
  get down(): boolean {
    return this.downSince !== null;
  }

  /** True from the first `check-signaling` of a silence until packets arrive again. */
  get silent(): boolean {
    return this.checked;
  }

  /** ICE was restarted for another reason (signaling came back): the next retry counts from here. */
  restarted(at: number): void {
    this.lastRestartAt = at;
  }

  sample({ at, packetsReceived, silenceMs, state }: PathSample): RecoveryAction[] {
    if (this.gaveUp) return [];
    const t = this.timings;
    // A stream that went away (renegotiation) lowers the sum: a new baseline, not packets arriving.
    if (packetsReceived > this.packets) {
      this.established = true;
      this.lastPacketAt = at - (silenceMs ?? 0);
    }
    this.packets = packetsReceived;
    const quietFor = at - this.lastPacketAt;
    if (!this.established) {
      // Connecting: the browser keeps checking candidates by itself; a `failed` path is worth a fresh start.
      if (quietFor >= t.connectTimeoutMs) return this.giveUp();
      return state === 'failed' && this.mayRestart(at) ? this.restart(at) : [];
    }
    if (quietFor < t.suspectMs) {
      this.checked = false;
      if (this.downSince === null) return [];
      this.downSince = this.lastRestartAt = null;
      return ['recovered'];
    }
    const actions: RecoveryAction[] = [];
    if (!this.checked) {
      this.checked = true;
      actions.push('check-signaling');
    }
    if (this.downSince === null) {
      if (quietFor < t.stallMs && !broken(state)) return actions;
      this.downSince = this.lastPacketAt;
      actions.push('reconnecting');
    }
    const downFor = at - this.downSince;
    if (downFor >= t.giveUpMs) return [...actions, ...this.giveUp()];
    if ((downFor >= t.restartAfterMs || broken(state)) && this.mayRestart(at))
      actions.push(...this.restart(at));
    return actions;
  }

  private mayRestart(at: number): boolean {
    return this.lastRestartAt === null || at - this.lastRestartAt >= this.timings.retryMs;
  }

  private restart(at: number): RecoveryAction[] {
    this.lastRestartAt = at;
    return ['restart'];
  }

  private giveUp(): RecoveryAction[] {
    this.gaveUp = true;
    return ['give-up'];
  }
}
