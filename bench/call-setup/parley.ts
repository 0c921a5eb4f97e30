/**
 * One measured Parley video call through the UI (Alice calls, Bob accepts with video), and its figures:
 * the benchmark's own captures in both pages (capture.ts), the engines' setup marks, and the longest gap
 * in setup. Nothing here assumes which side offers or when the connection is made (after Accept today,
 * while ringing once issue 10 lands): it reads what each page saw.
 */
import type { SetupStage, SetupTimings } from '../../renderer/call/timings.js';
import { expect, type Person } from '../../e2e/support/fixtures.js';
import type { Capture } from './baseline.js';
import {
  captureTimeline,
  firstAt,
  firstDecodedAt,
  mediaCompleteAt,
  takeEvents,
  waitForMedia,
  type CaptureEvent,
  type CaptureKind,
} from './capture.js';
import { longestGap, minus, type Gap, type Sample, type TimelineEvent } from './figures.js';

/** Longest wait for one call to show video on both sides. */
const CALL_TIMEOUT_MS = 30_000;

export const PARLEY_ROWS = {
  clickToRinging: 'click "Video call" -> ringing (dialog in callee page)',
  acceptLatency: 'ringing -> accept click (test driver; taken out)',
  acceptToAudioCaller: 'accept click -> first audio packet (caller)',
  acceptToAudioCallee: 'accept click -> first audio packet (callee)',
  acceptToFrameCaller: 'accept click -> first decoded frame (caller)',
  acceptToFrameCallee: 'accept click -> first decoded frame (callee)',
  acceptToShownCaller: 'accept click -> first frame on screen (caller, rVFC)',
  acceptToShownCallee: 'accept click -> first frame on screen (callee, rVFC)',
  acceptToOffer: 'accept click -> offer on caller connection (<0: before)',
  acceptToAnswer: 'accept click -> answer on caller connection',
  acceptToConnected: 'accept click -> connected (caller: ICE+DTLS)',
  connectedToFrameCaller: 'connected -> first decoded frame (caller)',
  connectedToFrameCallee: 'connected -> first decoded frame (callee)',
  longestGap: 'longest gap between setup events (driver excluded)',
} as const;

/** The engines' own marks (renderer/call/timings.ts), as the table before issue 10 showed them. */
export const ENGINE_ROWS = {
  clickToInvite: 'click "Video call" -> invite-sent (caller)',
  inviteToRinging: 'invite-sent -> ringing (caller)',
  inviteToIncoming: 'invite-sent -> incoming (callee)',
  acceptLatency: 'incoming -> accept click (test driver; taken out of total)',
  acceptToMicrophone: 'accept click -> microphone open (callee)',
  acceptToCamera: 'accept click -> camera open (callee)',
  microphoneToAudio: 'microphone open (callee) -> first audio packet (caller)',
  acceptToCalleeAccepted: 'accept click -> accepted (callee)',
  acceptToAccepted: 'accept click -> accepted (caller)',
  acceptedToOffer: 'accepted -> offer (caller)',
  offerToAnswer: 'offer -> answer (caller)',
  acceptedToIce: 'accepted -> ice-connected (caller)',
  iceToPacket: 'ice-connected -> first video packet (caller, bench)',
  iceToVideoMark: 'ice-connected -> first-video (caller, engine mark)',
  iceToVideo: 'ice-connected -> first decoded frame (caller, bench)',
  totalEngine: 'TOTAL click -> first video - accept latency (engine mark)',
  total: 'TOTAL click -> first decoded frame - accept latency (bench)',
} as const;

export interface ParleySide {
  timings: SetupTimings;
  events: CaptureEvent[];
}

export interface ParleyCall {
  caller: ParleySide;
  callee: ParleySide;
  /** The size of the caller's camera (its "Your camera" preview), which the baseline's camera copies. */
  capture: Capture;
}

export interface ParleyFigures {
  sample: Sample;
  engine: Sample;
  /** The longest gap in setup, the driver's accept delay left out. */
  gap: Gap | null;
}

/**
 * Alice video-calls Bob through the UI, Bob accepts with video, `answerAfterMs` after he sees it ring (a
 * person's reaction; 0: at once); both see video; Alice hangs up.
 */
export async function parleyCall(alice: Person, bob: Person, answerAfterMs = 0): Promise<ParleyCall> {
  for (const p of [alice, bob]) await p.page.evaluate(() => window.__benchCapture!.reset());
  await alice.call(bob, 'video');
  await expect(bob.incomingCall(alice)).toBeVisible();
  if (answerAfterMs > 0) await bob.page.waitForTimeout(answerAfterMs);
  await bob.accept(alice, 'video');

  await Promise.all([alice, bob].map((p) => waitForMedia(p.page, CALL_TIMEOUT_MS, true)));
  const [caller, callee] = await Promise.all(
    [alice, bob].map(async (p) => ({
      timings: await p.page.evaluate(() => window.parleyDiagnostics!.timings()!),
      events: await takeEvents(p.page),
    })),
  );
  const preview = alice.callWith(bob).getByLabel('Your camera', { exact: true });
  let capture: Capture = { width: 0, height: 0 };
  await expect
    .poll(
      async () => {
        capture = await preview.evaluate((v: HTMLVideoElement) => ({
          width: v.videoWidth,
          height: v.videoHeight,
        }));
        return capture.width;
      },
      { message: "size of Alice's camera preview" },
    )
    .toBeGreaterThan(0);

  // Hang up and wait until both are idle: call views gone, connections closed, neither shown as busy.
  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  for (const [me, them] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await expect(me.callWith(them)).toBeHidden();
    await expect.poll(async () => (await me.stats()).length, { message: 'connection closed' }).toBe(0);
    await expect(me.contact(them)).not.toContainText('Busy');
  }
  return { caller: caller!, callee: callee!, capture };
}

/** Epoch ms of each stage: `startedAt` plus the stage's offset. */
function epochs(timings: SetupTimings): Partial<Record<SetupStage, number>> {
  return Object.fromEntries(
    Object.entries(timings.stages).map(([stage, offset]) => [stage, timings.startedAt + offset]),
  );
}

function required<T>(what: string, value: T | undefined, context: unknown): T {
  if (value === undefined) throw new Error(`call setup: ${what} missing in ${JSON.stringify(context)}`);
  return value;
}

const earliest = (...values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
};

/** Everything both sides saw, on one timeline: their captures and their engines' marks. */
function timeline(call: ParleyCall): TimelineEvent[] {
  return (['caller', 'callee'] as const).flatMap((who) => [
    ...captureTimeline(who, call[who].events),
    ...Object.entries(epochs(call[who].timings)).map(([stage, at]) => ({
      at,
      what: `${who} engine: ${stage}`,
    })),
  ]);
}

/** The figures of one call. `callButton` is the caller's button ("Video call Bob 3f9a"). */
export function parleyFigures(call: ParleyCall, callButton: string): ParleyFigures {
  const { caller, callee } = call;
  const a = caller.events;
  const b = callee.events;
  const clickCall = required(`click on "${callButton}"`, firstAt(a, 'click', callButton), call);
  const clickAccept = required(
    'click on "Accept with video"',
    firstAt(b, 'click', 'Accept with video'),
    call,
  );
  // The records must be this call's: the engines' recorders started by this click, not the last call's.
  expect(caller.timings.startedAt, 'caller timings start at the click').toBeGreaterThanOrEqual(clickCall);
  expect(callee.timings.startedAt, 'callee timings start after the click').toBeGreaterThanOrEqual(clickCall);

  const ringing = firstAt(b, 'ringing-shown');
  const at = (events: CaptureEvent[], kind: CaptureKind, label?: string) => firstAt(events, kind, label);
  const fromAccept = (t: number | undefined) => minus(t, clickAccept);
  const connectedA = at(a, 'connected');
  const connectedB = at(b, 'connected');
  const sample: Sample = {
    clickToRinging: minus(ringing, clickCall),
    acceptLatency: minus(clickAccept, ringing),
    acceptToAudioCaller: fromAccept(at(a, 'first-packet', 'audio')),
    acceptToAudioCallee: fromAccept(at(b, 'first-packet', 'audio')),
    acceptToFrameCaller: fromAccept(firstDecodedAt(a)),
    acceptToFrameCallee: fromAccept(firstDecodedAt(b)),
    acceptToShownCaller: fromAccept(at(a, 'frame-shown')),
    acceptToShownCallee: fromAccept(at(b, 'frame-shown')),
    acceptToOffer: fromAccept(earliest(at(a, 'offer-sent'), at(a, 'offer-received'))),
    acceptToAnswer: fromAccept(earliest(at(a, 'answer-sent'), at(a, 'answer-received'))),
    acceptToConnected: fromAccept(connectedA),
    connectedToFrameCaller: minus(firstDecodedAt(a), connectedA),
    connectedToFrameCallee: minus(firstDecodedAt(b), connectedB),
  };

  // The end of setup: the last of what the benchmark waits for on either side.
  const end = Math.max(mediaCompleteAt(a), mediaCompleteAt(b));
  const gap = longestGap(
    [...timeline(call), { at: clickCall, what: `caller: click "${callButton}"` }],
    { start: clickCall, end },
    { at: clickAccept, what: 'callee: click "Accept with video"' },
  );
  sample.longestGap = gap?.ms;

  const e = epochs(caller.timings);
  const f = epochs(callee.timings);
  const driver = minus(clickAccept, f.incoming);
  const firstFrame = firstDecodedAt(a);
  const engine: Sample = {
    clickToInvite: minus(e['invite-sent'], clickCall),
    inviteToRinging: minus(e.ringing, e['invite-sent']),
    inviteToIncoming: minus(f.incoming, e['invite-sent']),
    acceptLatency: driver,
    acceptToMicrophone: minus(f['microphone-open'], clickAccept),
    acceptToCamera: minus(f['camera-open'], clickAccept),
    microphoneToAudio: minus(at(a, 'first-packet', 'audio'), f['microphone-open']),
    acceptToCalleeAccepted: minus(f.accepted, clickAccept),
    acceptToAccepted: minus(e.accepted, clickAccept),
    acceptedToOffer: minus(e.offer, e.accepted),
    offerToAnswer: minus(e.answer, e.offer),
    acceptedToIce: minus(e['ice-connected'], e.accepted),
    iceToPacket: minus(at(a, 'first-packet', 'video'), e['ice-connected']),
    iceToVideoMark: minus(e['first-video'], e['ice-connected']),
    iceToVideo: minus(firstFrame, e['ice-connected']),
    totalEngine: minus(minus(e['first-video'], clickCall), driver),
    total: minus(minus(firstFrame, clickCall), driver),
  };
  return { sample, engine, gap };
}
