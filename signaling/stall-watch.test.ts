import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { createLogger } from './log.js';
import { watchStalls } from './stall-watch.js';
import { LogCapture } from './test-support/log-capture.js';

const EVERY_MS = 20;
const STALL_MS = 200;
let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** Holds the event loop for `ms`, as a long synchronous task does. */
const holdLoop = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** Lets the loop turn until the watch has checked at least a few times. */
const turns = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a hold-up of the event loop is logged once, with how long it lasted', async () => {
  const capture = new LogCapture();
  stop = watchStalls(createLogger('info', capture), { stallMs: STALL_MS, everyMs: EVERY_MS });

  await turns(EVERY_MS * 5);
  holdLoop(400);
  await turns(EVERY_MS * 3);

  // The check after the hold-up sees all of it, less at most one check interval. (A machine this busy
  // may hold the process up by itself too, in a shorter line of its own.)
  const lines = capture.withMessage('event loop held up').filter((l) => Number(l.heldMs) >= 400 - EVERY_MS);
  expect(lines).toHaveLength(1);
  expect(lines[0]!.level).toBe(40);
  // No connection came or went: something held the loop.
  expect(lines[0]).toMatchObject({ handshakesMeanwhile: 0, disconnectsMeanwhile: 0 });
});

/**
 * Opens `count` connections to `port` at once from another process, each sending a byte; exits once all are
 * answered. Each keeps its side open after the server's end (allowHalfOpen), so that all of them close at
 * once when the process exits, whatever CPU it got meanwhile: otherwise each would close as its answer was
 * read, and a client starved by a busy machine would close them a few at a time.
 */
const CONNECTION_FLOOD = `
const net = require('node:net');
const [port, count] = process.argv.slice(1).map(Number);
let answered = 0;
for (let i = 0; i < count; i++) {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => socket.write('x'));
  socket.on('data', () => { if (++answered === count) process.exit(0); });
  socket.on('error', (err) => { console.error(err.message); process.exit(1); });
}`;

test('connections arriving and leaving all at once hold the timers back, and the lines count them', async () => {
  // A reconnect storm in small, and a crowd gone: each handshake and each disconnect costs 2 ms, as on a
  // busy core, and Node takes every connection that is ready before it runs a timer.
  const COUNT = 800;
  let accepted = 0;
  const churn = { handshakes: 0, disconnects: 0 };
  let allGone: () => void;
  const gone = new Promise<void>((resolve) => (allGone = resolve));
  const server = createServer((socket) => {
    accepted++;
    socket.on('data', () => {
      holdLoop(2);
      churn.handshakes++;
      socket.end('k');
    });
    socket.on('close', () => {
      holdLoop(2);
      if (++churn.disconnects === COUNT) allGone();
    });
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: COUNT });
  await once(server, 'listening');
  const capture = new LogCapture();
  stop = watchStalls(createLogger('info', capture), { stallMs: STALL_MS, everyMs: EVERY_MS, churn });
  try {
    // The other process exits once every connection is answered: the kernel closes all of them at once.
    const port = String((server.address() as AddressInfo).port);
    const flood = spawn(process.execPath, ['-e', CONNECTION_FLOOD, port, String(COUNT)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [code] = (await once(flood, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(accepted).toBe(COUNT);
    await gone;
    await turns(EVERY_MS * 3);
    // 1.6 s of handshakes, then 1.6 s of disconnects: stretches of each ran no timer for more than
    // STALL_MS, and their lines say the server took those meanwhile (at least one every 20 ms even on a
    // loaded machine), where a loop held by one task takes none.
    const lines = capture.withMessage('event loop held up');
    for (const field of ['handshakesMeanwhile', 'disconnectsMeanwhile']) {
      const most = [...lines].sort((a, b) => Number(a[field]) - Number(b[field])).at(-1);
      expect(most, `a hold-up line with ${field}`).toBeDefined();
      expect(Number(most![field]), field).toBeGreaterThan(Number(most!.heldMs) / 20);
    }
  } finally {
    server.close();
  }
});

test('once stopped, nothing is logged', async () => {
  const capture = new LogCapture();
  stop = watchStalls(createLogger('info', capture), { stallMs: STALL_MS, everyMs: EVERY_MS });
  stop();
  holdLoop(300);
  await turns(EVERY_MS * 3);
  expect(capture.withMessage('event loop held up')).toEqual([]);
});
