/**
 * Connections when the database fails under them: a handshake that cannot be checked is refused with
 * E_INTERNAL (and the next one gets in); a failed read of the revocation log or a failed session sweep
 * is logged and the next round does the work. The server keeps running throughout (no unhandled
 * rejection). Real server, real devices; one table call is made to fail with `faulty`.
 */
import { afterEach, expect, it } from 'vitest';
import type { Sessions } from '../accounts/sessions.js';
import { runAdmin } from '../admin.js';
import type { DeviceBindingsTable } from '../db/device-bindings.js';
import { createLogger } from '../log.js';
import { faulty, recordCrashes, type Faulty } from '../test-support/faults.js';
import {
  connect,
  newDeviceId,
  person,
  register,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';
import { LogCapture } from '../test-support/log-capture.js';

const recorder = recordCrashes();
const DAY = 24 * 3_600_000;

let server: TestServer;
let logs: LogCapture;
let bindings: Faulty<DeviceBindingsTable>;
let sessions: Faulty<Sessions>;
let clock: number;

afterEach(() => server.stop());

async function start(): Promise<void> {
  logs = new LogCapture();
  clock = Date.now();
  server = await startTestServer(
    { sessionMaxDays: 180 },
    {
      log: createLogger('error', logs),
      now: () => clock,
      revocationTimings: { pollMs: 50, sweepMs: 50 },
      replaceParts: (parts) => ({
        deviceBindings: (bindings = faulty(parts.deviceBindings)),
        sessions: (sessions = faulty(parts.sessions)),
      }),
    },
  );
}

const errorLines = (msg: string) => logs.withMessage(msg).filter((l) => l.level === 50);

/** Resolves with the reason of `session.revoked`, once the device has also been disconnected. */
async function revoked(device: TestDevice): Promise<string> {
  const gone = new Promise<string>((resolve) => device.socket.once('disconnect', resolve));
  const { reason } = await device.next('session.revoked');
  expect(await gone).toBe('io server disconnect');
  return reason;
}

it('a handshake whose device binding cannot be written is refused with E_INTERNAL; the next gets in', async () => {
  await start();
  const { token } = await register(server, 'alice');
  const deviceId = newDeviceId();
  bindings.failNext('bind');

  const refused = await connect(server, token, deviceId).catch((err: unknown) => err);
  expect(refused).toMatchObject({ message: 'internal error', data: { code: 'E_INTERNAL' } });
  expect(errorLines('handshake failed')).toMatchObject([{ err: { code: 'SQLITE_BUSY' } }]);
  const device = await connect(server, token, deviceId);
  expect(device.ready.user.username).toBe('alice');
  expect(recorder.crashes).toEqual([]);
});

it('a failed read of the revocation log is logged; the next poll closes the revoked connection', async () => {
  await start();
  const alice = await person(server, 'alice');
  const admin = { readPassword: () => Promise.resolve(''), print: () => undefined };

  // Armed and disabled in one go (runAdmin's disable does not wait): the next read, the first to see
  // the revocation, fails.
  sessions.failNext('revokedAfter');
  expect(await runAdmin(['disable', 'alice'], server.config, admin)).toBe(0);

  expect(await revoked(alice.device)).toBe('disabled');
  expect(sessions.failures).toBe(1);
  expect(errorLines('applying session revocations failed')).toMatchObject([{ err: { code: 'SQLITE_BUSY' } }]);
  expect(recorder.crashes).toEqual([]);
});

it('a failed session sweep is logged; the next one ends the expired session', async () => {
  await start();
  const alice = await person(server, 'alice');
  sessions.failNext('sweep');

  clock += 180 * DAY; // past the absolute lifetime, however much the session is used
  expect(await revoked(alice.device)).toBe('expired');
  expect(sessions.failures).toBe(1);
  expect(errorLines('session sweep failed')).toMatchObject([{ err: { code: 'SQLITE_BUSY' } }]);
  expect(recorder.crashes).toEqual([]);
});
