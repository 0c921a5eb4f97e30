/**
 * Errors the app's windows forward (IPC `log.error`, renderer/platform/desktop-errors.ts) into main's
 * log: at most 20 a minute from each window, so a page failing in a loop cannot push everything else out
 * of the rotated file; the first one over says so.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

const PER_MINUTE = 20;

export class RendererErrors {
  private readonly limiter = new RateLimiterMemory({ points: PER_MINUTE, duration: 60 });

  constructor(private readonly write: (line: string) => void) {}

  /** `window` names the window for the log: `main window`, `incoming-call window`. */
  async report(window: string, message: string): Promise<void> {
    try {
      await this.limiter.consume(window);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      if (res.consumedPoints === PER_MINUTE + 1)
        this.write(
          `renderer (${window}): more than ${PER_MINUTE} errors this minute; the rest are not logged`,
        );
      return;
    }
    this.write(`renderer (${window}): ${message}`);
  }
}
