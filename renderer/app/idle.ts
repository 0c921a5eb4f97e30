/** Marks this device away after a while without keyboard or pointer input, and back when input returns. */
const AWAY_AFTER_MS = 5 * 60_000;
const CHECK_EVERY_MS = 30_000;
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

export class IdleWatcher {
  private lastInput = Date.now();
  private away = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly onInput = () => {
    this.lastInput = Date.now();
    if (this.away) this.set(false);
  };

  constructor(
    private readonly report: (away: boolean) => void,
    private readonly awayAfterMs = AWAY_AFTER_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    for (const type of ACTIVITY) window.addEventListener(type, this.onInput, { passive: true });
    this.timer = setInterval(() => {
      if (!this.away && Date.now() - this.lastInput > this.awayAfterMs) this.set(true);
    }, CHECK_EVERY_MS);
  }

  stop(): void {
    for (const type of ACTIVITY) window.removeEventListener(type, this.onInput);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.away = false;
  }

  private set(away: boolean): void {
    this.away = away;
    this.report(away);
  }
}
