/**
 * The metrics listener: `GET /metrics` in Prometheus' text format, on an address of its own
 * (`metricsListen`), never on the public port, so that turning metrics on does not publish them by
 * accident. It answers nothing else, and only to the hosts the public port answers to (DNS rebinding).
 */
import { createServer, type Server } from 'node:http';
import type { HostGuard } from './host-check.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export function createMetricsServer(metrics: Metrics, hostAllowed: HostGuard, log: Logger): Server {
  return createServer((req, res) => {
    const text = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    if (!hostAllowed(req)) return text(421, 'this server does not answer to that host name\n');
    const path = new URL(req.url ?? '/', 'http://parley').pathname;
    if (path !== METRICS_PATH) return text(404, `not found: metrics are at ${METRICS_PATH}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return text(405, 'method not allowed\n');
    }
    metrics.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        // A gauge reads the database; one that failed leaves the scrape without an answer, not the server.
        log.error({ err }, 'collecting metrics failed');
        text(500, 'collecting metrics failed\n');
      },
    );
  });
}
