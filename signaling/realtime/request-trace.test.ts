/**
 * At debug level the server logs each request as it arrives and its answer as it goes, with how long it
 * took and the refusal's code: a request that was never answered shows as its first line alone.
 */
import { afterEach, expect, it } from 'vitest';
import { newCallId } from '../accounts/tokens.js';
import { createLogger } from '../log.js';
import { LogCapture } from '../test-support/log-capture.js';
import { person, startTestServer, type TestServer } from '../test-support/harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serverLoggingAt(level: 'debug' | 'info'): Promise<LogCapture> {
  const capture = new LogCapture();
  server = await startTestServer({ logLevel: level }, { log: createLogger(level, capture) });
  return capture;
}

it('at debug level, each request and its answer are logged with the device, the time taken and a refusal code', async () => {
  const capture = await serverLoggingAt('debug');
  const alice = await person(server!, 'alice');

  await alice.device.ok('ice.servers', {});
  expect(await alice.device.fails('call.hangup', { callId: newCallId() })).toBe('E_CALL_NOT_FOUND');

  const device = { userId: expect.any(Number), deviceId: alice.device.deviceId };
  expect(capture.withMessage('request')).toEqual([
    expect.objectContaining({ ...device, event: 'ice.servers', level: 20 }),
    expect.objectContaining({ ...device, event: 'call.hangup', level: 20 }),
  ]);
  const answers = capture.withMessage('request answered');
  expect(answers).toEqual([
    expect.objectContaining({ ...device, event: 'ice.servers', ms: expect.any(Number) }),
    expect.objectContaining({ ...device, event: 'call.hangup', code: 'E_CALL_NOT_FOUND' }),
  ]);
  expect(answers[0]).not.toHaveProperty('code');
  // The session's token, even hashed, is not in these lines.
  for (const line of [...capture.withMessage('request'), ...answers])
    expect(Object.keys(line).sort()).toEqual(
      expect.not.arrayContaining(['tokenHashHex', 'username', 'displayName']),
    );
});

it('at info level, requests are not logged', async () => {
  const capture = await serverLoggingAt('info');
  const alice = await person(server!, 'alice');
  await alice.device.ok('ice.servers', {});
  expect(capture.withMessage('request')).toEqual([]);
  expect(capture.withMessage('request answered')).toEqual([]);
});
