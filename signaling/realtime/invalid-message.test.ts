/** The E_INVALID messages a client writer reads in docs/protocol.md are the ones the server sends. */
import { afterEach, expect, it } from 'vitest';
import { person, startTestServer, type TestServer, WAIT_MS } from '../test-support/harness.js';

let server: TestServer;
afterEach(() => server.stop());

it('says "expected exactly one payload argument" for a missing or extra argument, and the first schema issue otherwise', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  const socket = alice.device.socket as unknown as {
    timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  };
  const send = (event: string, ...args: unknown[]) => socket.timeout(WAIT_MS).emitWithAck(event, ...args);
  const invalid = (message: string) => ({ ok: false, error: { code: 'E_INVALID', message } });

  expect(await send('call.accept')).toEqual(invalid('expected exactly one payload argument'));
  expect(await send('history.markSeen')).toEqual(invalid('expected exactly one payload argument'));
  expect(await send('call.accept', { callId: 'A'.repeat(22) }, 'more')).toEqual(
    invalid('expected exactly one payload argument'),
  );
  expect(await send('call.accept', undefined)).toEqual(
    invalid('Invalid input: expected object, received null'),
  );
  expect(await send('call.accept', { callId: 'short' })).toEqual(invalid('callId: 22 base64url characters'));
  expect(await send('contacts.request', { username: 'No Caps' })).toEqual(
    invalid('username: 3-32 of a-z 0-9 . _ -'),
  );
  expect(await send('presence.update', {})).toEqual(invalid('set away, dnd or both'));
  expect(await send('history.list', { admin: true })).toEqual(invalid('Unrecognized key: "admin"'));
});
