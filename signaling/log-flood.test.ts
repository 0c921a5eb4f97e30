/** A client that misbehaves in bulk gets a few log lines, not one per message or per request. */
import { connect as tcpConnect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createLogger, LOG_LINES_PER_WINDOW } from './log.js';
import { httpRoutes } from './protocol/index.js';
import { LogCapture } from './test-support/log-capture.js';
import { person, startTestServer, type TestServer, WAIT_MS } from './test-support/harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Resolves once `condition` holds, checking every few milliseconds. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('5,000 bad messages on one socket give at most a window of warn lines', async () => {
  const capture = new LogCapture();
  server = await startTestServer({ logLevel: 'info' }, { log: createLogger('info', capture) });
  const { device } = await person(server, 'alice');
  const gone = new Promise<string>((resolve) => device.socket.once('disconnect', resolve));

  const unknownEvent = 'no.such.event' as Parameters<typeof device.socket.emit>[0];
  for (let i = 0; i < 5_000; i++) (device.socket.emit as (e: string, p: unknown) => void)(unknownEvent, {});

  expect(await gone).toBe('io server disconnect');
  // Everything the server read from that socket has been handled before it answers a later request.
  expect((await fetch(server.url + httpRoutes.health)).status).toBe(200);
  // (A loaded machine may also hold the event loop up for a second under this flood, and say so.)
  const warnings = capture.lines().filter((l) => l.level >= 40 && l.msg !== 'event loop held up');
  expect(warnings.length).toBeGreaterThan(0);
  expect(warnings.length).toBeLessThanOrEqual(LOG_LINES_PER_WINDOW);
  expect(warnings[0]).toMatchObject({ msg: 'closing connection: too many bad messages' });
});

it('aborted request bodies are logged without stack traces, a few lines per window', async () => {
  const capture = new LogCapture();
  server = await startTestServer({ logLevel: 'info' }, { log: createLogger('info', capture) });
  const { port } = server;

  for (let i = 0; i < 50; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        socket.write(
          `POST ${httpRoutes.register} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n` +
            'content-type: application/json\r\ncontent-length: 10000\r\n\r\n{"username": "ali',
        );
        // Gone halfway through the body, as when a browser tab closes during an upload.
        setImmediate(() => socket.destroy());
      });
      socket.once('close', () => resolve());
      socket.once('error', reject);
    });
  }
  const http = server.http;
  await until(
    () => new Promise((resolve) => http.getConnections((_err, n) => resolve(n === 0))),
    'the server to close every aborted connection',
  );
  await until(() => capture.withMessage('request aborted by the client').length > 0, 'the abort log line');
  expect((await fetch(server.url + httpRoutes.health)).status).toBe(200);

  const lines = capture.lines();
  expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  expect(lines.filter((l) => JSON.stringify(l).includes('stack'))).toEqual([]);
  const aborted = capture.withMessage('request aborted by the client');
  expect(aborted.length).toBeLessThanOrEqual(LOG_LINES_PER_WINDOW);
  expect(aborted[0]).toMatchObject({ level: 30, path: httpRoutes.register });
});
