/**
 * The call-setup benchmark's own instruments, installed in every page it measures (Parley's and the
 * baseline's alike) as an init script, before the page's own code runs. They see call setup from outside
 * the app, whichever side offers and however the app orders its steps, and stamp each event with the
 * page's Date.now() (one clock for every page: they run on one machine):
 *
 * - clicks on buttons (capture phase: before React sees them);
 * - the incoming-call dialog appearing (a MutationObserver: the moment React commits it to the DOM);
 * - per RTCPeerConnection the page creates (the constructor is wrapped by a subclass, so `instanceof`
 *   and the app's own `on...` handlers are untouched): offers and answers made or taken (from its
 *   signaling state), ICE connected, connected (ICE and DTLS), the first RTP packet of each remote track
 *   (the track's `unmute`: Chromium unmutes a remote track when its first packet arrives; sharpened by
 *   the receiver's stats), the first decoded video frame (a getStats poll every `pollMs`), and the first
 *   remote frame on screen (requestVideoFrameCallback on the page's "Remote video" element).
 *
 * Nothing here changes what the page does; it only listens and reads stats.
 */
import type { Page } from '@playwright/test';
import type { TimelineEvent } from './figures.js';

/** What the instruments saw. `first-frame` and `frame-shown` are video only. */
export type CaptureKind =
  | 'click'
  | 'ringing-shown'
  | 'pc-created'
  | 'offer-sent'
  | 'offer-received'
  | 'answer-sent'
  | 'answer-received'
  | 'ice-connected'
  | 'connected'
  | 'first-packet'
  | 'first-frame'
  | 'frame-shown';

export interface CaptureEvent {
  kind: CaptureKind;
  /** Date.now() in the page. */
  at: number;
  /** Which of the page's RTCPeerConnections (numbered from 1 in creation order). */
  pc?: number;
  /** The button's name (`click`), the track's kind (`first-packet`). */
  label?: string;
  /** Figures read at the event (stats counters, frame metadata), for the JSON. */
  detail?: Record<string, number>;
}

/** The instruments' handle in the page. */
export interface CaptureApi {
  /** A new call: forgets what was seen and ignores connections created before now. */
  reset(): void;
  events(): CaptureEvent[];
  /** Stops the stats polls (the call is measured). */
  stop(): void;
}

declare global {
  interface Window {
    __benchCapture?: CaptureApi;
  }
}

/** The incoming-call dialog (renderer/ui/IncomingCall.tsx). */
export const RINGING_SELECTOR = '[role="dialog"][aria-label^="Incoming call from "]';
/** The element that shows the far side's video (renderer/ui/InCall.tsx, and the baseline page's). */
export const REMOTE_VIDEO_SELECTOR = 'video[aria-label="Remote video"]';

/**
 * Init script (serialised into the page: it may use nothing from this module but its argument).
 * `pollMs`: the getStats poll for the first decoded frame.
 */
export function installCapture(options: {
  pollMs: number;
  ringingSelector: string;
  remoteVideoSelector: string;
}): void {
  const { pollMs, ringingSelector, remoteVideoSelector } = options;
  let events: CaptureEvent[] = [];
  /** Bumped by reset(): work started for an earlier call stops recording. */
  let generation = 0;
  let pcCount = 0;
  let stopped = false;
  const record = (event: Omit<CaptureEvent, 'at'> & { at?: number }): CaptureEvent => {
    const full: CaptureEvent = { at: Date.now(), ...event };
    events.push(full);
    return full;
  };

  // ---- the page ----
  document.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest('button');
      const label = button?.getAttribute('aria-label') ?? button?.textContent?.trim();
      if (label) record({ kind: 'click', label });
    },
    true,
  );
  const watchedVideos = new WeakSet<HTMLVideoElement>();
  /** The first frame a video element puts on screen: rVFC's expected display time, on Date.now()'s clock. */
  const watchVideo = (video: HTMLVideoElement) => {
    if (watchedVideos.has(video)) return;
    watchedVideos.add(video);
    const mine = generation;
    video.requestVideoFrameCallback((_now, frame) => {
      if (mine !== generation) return;
      const toEpoch = (t: number) => Date.now() + (t - performance.now());
      record({
        kind: 'frame-shown',
        at: toEpoch(frame.expectedDisplayTime),
        detail: {
          presentedFrames: frame.presentedFrames,
          presentationTime: toEpoch(frame.presentationTime),
          ...(frame.receiveTime !== undefined ? { receiveTime: toEpoch(frame.receiveTime) } : {}),
          ...(frame.processingDuration !== undefined
            ? { processingMs: frame.processingDuration * 1000 }
            : {}),
        },
      });
    });
  };
  const lookAt = (node: Node) => {
    if (!(node instanceof Element)) return;
    if (node.matches(ringingSelector) || node.querySelector(ringingSelector))
      record({ kind: 'ringing-shown' });
    const videos = node.matches(remoteVideoSelector) ? [node] : node.querySelectorAll(remoteVideoSelector);
    for (const video of videos) watchVideo(video as HTMLVideoElement);
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) for (const node of m.addedNodes) lookAt(node);
  }).observe(document, { childList: true, subtree: true });

  // ---- every peer connection ----
  const Native = window.RTCPeerConnection;
  const observe = (pc: RTCPeerConnection) => {
    const id = ++pcCount;
    const mine = generation;
    const live = () => mine === generation && pc.signalingState !== 'closed';
    record({ kind: 'pc-created', pc: id });
    let signaling: RTCSignalingState = pc.signalingState;
    pc.addEventListener('signalingstatechange', () => {
      const was = signaling;
      signaling = pc.signalingState;
      if (!live()) return;
      if (signaling === 'have-local-offer') record({ kind: 'offer-sent', pc: id });
      else if (signaling === 'have-remote-offer') record({ kind: 'offer-received', pc: id });
      else if (signaling === 'stable' && was === 'have-local-offer')
        record({ kind: 'answer-received', pc: id });
      else if (signaling === 'stable' && was === 'have-remote-offer') record({ kind: 'answer-sent', pc: id });
    });
    let iceConnected = false;
    pc.addEventListener('iceconnectionstatechange', () => {
      const state = pc.iceConnectionState;
      if (live() && !iceConnected && (state === 'connected' || state === 'completed')) {
        iceConnected = true;
        record({ kind: 'ice-connected', pc: id });
      }
    });
    let connected = false;
    pc.addEventListener('connectionstatechange', () => {
      if (live() && !connected && pc.connectionState === 'connected') {
        connected = true;
        record({ kind: 'connected', pc: id });
      }
    });
    // First packet per remote track: the unmute, then the receiver's stats read at once. The unmute and
    // the latest packet those stats count both come after the first packet, so the earlier of the two is
    // kept (with one packet counted, lastPacketReceivedTimestamp is the first packet's arrival); the
    // unmute alone waits for the main thread. A packet time before the connection existed would be
    // another clock: it is not used.
    const createdAt = Date.now();
    pc.addEventListener('track', ({ track, receiver }) => {
      const firstPacket = () => {
        if (!live()) return;
        const event = record({ kind: 'first-packet', pc: id, label: track.kind });
        const unmuteAt = event.at;
        void receiver.getStats().then((report) =>
          report.forEach((row: RTCInboundRtpStreamStats) => {
            if (row.type !== 'inbound-rtp') return;
            const last = row.lastPacketReceivedTimestamp;
            event.detail = {
              unmuteAt,
              packetsAtEvent: row.packetsReceived ?? 0,
              ...(last !== undefined ? { lastPacketAt: last } : {}),
            };
            if (last !== undefined && last >= createdAt && last < event.at) event.at = last;
          }),
        );
      };
      if (track.muted) track.addEventListener('unmute', firstPacket, { once: true });
      else firstPacket();
    });
    // First decoded video frame: the time of the stats report that first counts one (when Chromium took
    // the report, kept within the poll's own Date.now() bounds), not the later moment its answer reached
    // the page; the previous poll's start is the lower bound.
    let previousAt: number | undefined;
    // The same poll also sees each kind's first packets: with one counted, lastPacketReceivedTimestamp is
    // the first's arrival, exactly, where the unmute above may only come one or two packets later (it
    // waits for the main thread). With more counted it is only an upper bound, as the unmute's is.
    const polledKinds = new Set<string>();
    const pollFirstPacket = (row: RTCInboundRtpStreamStats, askedAt: number, answeredAt: number) => {
      const packets = row.packetsReceived ?? 0;
      const last = row.lastPacketReceivedTimestamp;
      if (packets === 0 || !row.kind || polledKinds.has(row.kind) || !live()) return;
      polledKinds.add(row.kind);
      const at = last !== undefined && last >= createdAt && last <= answeredAt ? last : askedAt;
      record({ kind: 'first-packet', pc: id, label: row.kind, at, detail: { polledPackets: packets } });
    };
    const poll = async () => {
      if (!live() || stopped) return;
      const askedAt = Date.now();
      try {
        const report = await pc.getStats();
        const answeredAt = Date.now();
        let decoded: RTCInboundRtpStreamStats | undefined;
        report.forEach((row: RTCInboundRtpStreamStats) => {
          if (row.type !== 'inbound-rtp') return;
          if (row.kind === 'video' && (row.framesDecoded ?? 0) > 0) decoded = row;
          pollFirstPacket(row, askedAt, answeredAt);
        });
        if (decoded && live()) {
          const at = Math.min(Math.max(decoded.timestamp, askedAt), answeredAt);
          record({
            kind: 'first-frame',
            pc: id,
            at,
            detail: {
              answeredAt,
              ...(previousAt !== undefined ? { previousPollAt: previousAt } : {}),
              framesDecoded: decoded.framesDecoded ?? 0,
              packetsReceived: decoded.packetsReceived ?? 0,
              frameWidth: decoded.frameWidth ?? 0,
              frameHeight: decoded.frameHeight ?? 0,
            },
          });
          return;
        }
        previousAt = askedAt;
      } catch {
        // The connection closing under the poll: the next round sees it closed.
      }
      setTimeout(() => void poll(), pollMs);
    };
    void poll();
  };
  class ObservedPeerConnection extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      observe(this);
    }
  }
  window.RTCPeerConnection = ObservedPeerConnection;

  window.__benchCapture = {
    reset() {
      generation++;
      events = [];
      stopped = false;
      // A remote-video element already on the page (kept from before) is watched for this call too.
      for (const video of document.querySelectorAll<HTMLVideoElement>(remoteVideoSelector)) {
        watchedVideos.delete(video);
        watchVideo(video);
      }
    },
    events: () => events.map((e) => ({ ...e, ...(e.detail ? { detail: { ...e.detail } } : {}) })),
    stop() {
      stopped = true;
    },
  };
}

// ---- the benchmark's side ------------------------------------------------------------------------

/**
 * Waits until the page has seen what the benchmark measures of a call: a remote audio and video packet,
 * a decoded remote frame and one on screen (and, on Parley's pages, the engine's own first-video mark).
 * On a timeout, says what the page did see.
 */
export async function waitForMedia(page: Page, timeoutMs: number, engineMark: boolean): Promise<void> {
  try {
    await page.waitForFunction(
      (engineMark) => {
        const events = window.__benchCapture?.events() ?? [];
        const has = (kind: CaptureKind, label?: string) =>
          events.some((e) => e.kind === kind && (label === undefined || e.label === label));
        return (
          has('first-packet', 'audio') &&
          has('first-packet', 'video') &&
          has('first-frame') &&
          has('frame-shown') &&
          (!engineMark || window.parleyDiagnostics?.timings()?.stages['first-video'] !== undefined)
        );
      },
      engineMark,
      { timeout: timeoutMs, polling: 50 },
    );
  } catch (err) {
    const seen = await page.evaluate(
      () => window.__benchCapture?.events().map((e) => `${e.kind}${e.label ? ` (${e.label})` : ''}`) ?? [],
    );
    throw new Error(`${(err as Error).message}\nWhat the page saw: ${seen.join(', ') || 'nothing'}`, {
      cause: err,
    });
  }
}

/** Reads (and stops) the page's instruments once its call is measured. */
export function takeEvents(page: Page): Promise<CaptureEvent[]> {
  return page.evaluate(() => {
    window.__benchCapture!.stop();
    return window.__benchCapture!.events();
  });
}

/** The earliest event of a kind (and label), or undefined. */
export function firstAt(events: CaptureEvent[], kind: CaptureKind, label?: string): number | undefined {
  let first: number | undefined;
  for (const e of events)
    if (
      e.kind === kind &&
      (label === undefined || e.label === label) &&
      (first === undefined || e.at < first)
    )
      first = e.at;
  return first;
}

/**
 * The first decoded remote video frame: the earlier of two moments that each come after it, the stats
 * report that first counted a decoded frame and the presentation of the first frame the page showed
 * (rVFC's presentationTime; a frame is decoded before it is presented). On a busy machine either can be
 * the late one: the poll waits for the main thread, the first rVFC callback may come a few frames in.
 */
export function firstDecodedAt(events: CaptureEvent[]): number | undefined {
  const polled = firstAt(events, 'first-frame');
  const presented = events
    .filter((e) => e.kind === 'frame-shown' && e.detail?.presentationTime !== undefined)
    .map((e) => e.detail!.presentationTime!);
  const candidates = [...presented, ...(polled === undefined ? [] : [polled])];
  return candidates.length ? Math.min(...candidates) : undefined;
}

/** A page's captures on a timeline ("caller: connected (pc 2)"); clicks are left to the caller to add. */
export function captureTimeline(who: string, events: CaptureEvent[]): TimelineEvent[] {
  return events
    .filter((e) => e.kind !== 'click')
    .map((e) => ({
      at: e.at,
      what: `${who}: ${e.kind}${e.label ? ` ${e.label}` : ''}${e.pc ? ` (pc ${e.pc})` : ''}`,
    }));
}

/**
 * When a page had all that waitForMedia waits for (first audio and video packet, first decoded frame and
 * first frame on screen): the end of setup on that side. Throws if one is missing.
 */
export function mediaCompleteAt(events: CaptureEvent[]): number {
  const times = [
    firstAt(events, 'first-packet', 'audio'),
    firstAt(events, 'first-packet', 'video'),
    firstDecodedAt(events),
    firstAt(events, 'frame-shown'),
  ];
  if (times.some((t) => t === undefined))
    throw new Error(`call setup: a media event is missing in ${JSON.stringify(events)}`);
  return Math.max(...(times as number[]));
}
