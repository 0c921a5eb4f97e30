/** A pino destination that keeps every JSON line, so tests can assert on what the server logged. */
import type { DestinationStream } from 'pino';

export type LogLine = Record<string, unknown> & { level: number; msg: string };

export class LogCapture implements DestinationStream {
  private readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  /** Every line so far, parsed. */
  lines(): LogLine[] {
    return this.raw.map((l) => JSON.parse(l) as LogLine);
  }

  /** Lines whose message is `msg`. */
  withMessage(msg: string): LogLine[] {
    return this.lines().filter((l) => l.msg === msg);
  }
}
