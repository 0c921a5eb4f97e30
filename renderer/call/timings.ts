/** When each stage of call setup happened, for diagnostics and the setup-time benchmark. */
export const setupStages = [
  'invite-sent',
  'ringing',
  'incoming',
  'microphone-open',
  'camera-open',
  'accepted',
  'offer',
  'answer',
  'ice-connected',
  'first-audio',
  'first-video',
] as const;
export type SetupStage = (typeof setupStages)[number];

/** Milliseconds since the call started on this device (`startedAt`, epoch ms), per stage. */
export interface SetupTimings {
  startedAt: number;
  stages: Partial<Record<SetupStage, number>>;
}

export class TimingRecorder {
  /** performance.now() when the call started on this device. */
  readonly origin = performance.now();
  readonly timings: SetupTimings = { startedAt: Date.now(), stages: {} };

  /** Records the first time a stage is reached; later repeats (renegotiation) are ignored. */
  mark(stage: SetupStage): void {
    this.timings.stages[stage] ??= Math.round(performance.now() - this.origin);
  }

  has(stage: SetupStage): boolean {
    return this.timings.stages[stage] !== undefined;
  }
}
