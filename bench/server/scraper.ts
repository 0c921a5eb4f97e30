/**
 * With `--metrics`: scrapes Parley's metrics listener once a second for the whole run (Prometheus
 * scrapes every 15 s by default, so this is the cost of metrics with room to spare), times each
 * scrape, and reads single series at the phases' ends so the run can compare them with what the load
 * workers counted.
 */
import { monotonicMs } from './proc.js';

const INTERVAL_MS = 1_000;

export interface Scraper {
  /** One scrape now: the value of each series, by its name and labels as the text shows them. */
  read(): Promise<Map<string, number>>;
  /** Stops scraping; the durations (ms) and sizes (bytes) of every scrape so far. */
  stop(): { durationsMs: number[]; bytes: number[] };
}

export function startScraper(url: string): Scraper {
  const durationsMs: number[] = [];
  const bytes: number[] = [];
  const read = async (): Promise<Map<string, number>> => {
    const started = monotonicMs();
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text}`);
    durationsMs.push(monotonicMs() - started);
    bytes.push(Buffer.byteLength(text));
    const series = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const at = line.lastIndexOf(' ');
      series.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return series;
  };
  // One scrape at a time: on a machine this busy a scrape can take longer than the interval.
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const next = monotonicMs() + INTERVAL_MS;
      await read().catch((err: unknown) => {
        if (!stopped) console.error(`  metrics scrape failed: ${String(err)}`);
      });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - monotonicMs())));
    }
  };
  void loop();
  return {
    read,
    stop() {
      stopped = true;
      return { durationsMs, bytes };
    },
  };
}
