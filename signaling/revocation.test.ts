/**
 * Live revocation on a running server: `users disable` in another process and `POST /api/logout` close
 * the open connections concerned within 2 s, without any request from them, and end their calls cleanly.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_USAGE, runAdmin } from './admin.js';
import { httpRoutes } from './protocol/index.js';
import {
  befriend,
  connect,
  person,
  postJson,
  signIn,
  startTestServer,
  type Person,
  type TestDevice,
  type TestServer,
} from './test-support/harness.js';
import { databasesPerFile, useDatabase } from './test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
  const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
  /** What the issue asks for: connections are closed within 2 s of the revocation. */
  const REVOKED_WITHIN_MS = 2_000;

  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** Resolves with the reason of `session.revoked`, once the device has also been disconnected. */
  async function revoked(device: TestDevice, withinMs = REVOKED_WITHIN_MS): Promise<string> {
    const gone = device.socket.connected
      ? new Promise<string>((resolve) => device.socket.once('disconnect', resolve))
      : Promise.resolve('io server disconnect');
    const { reason } = await device.next('session.revoked', undefined, withinMs);
    expect(await gone).toBe('io server disconnect');
    return reason;
  }

  /** alice calls bob and bob answers; resolves with the call id. */
  async function activeCall(alice: Person, bob: Person): Promise<string> {
    const { callId } = await alice.device.ok('call.invite', { callee: bob.username, media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);
    return callId;
  }

  async function lastCall(device: TestDevice) {
    const { entries } = await device.ok('history.list', {});
    return entries[0];
  }

  it('`users disable` in another process closes every connection of the account and ends its call', async () => {
    server = await startTestServer();
    const alice = await person(server, 'alice');
    const bob = await person(server, 'bob');
    await befriend(alice, bob);
    const laptop = await connect(server, (await signIn(server, 'alice')).token); // a second session
    const callId = await activeCall(alice, bob);

    const { stdout } = await promisify(execFile)(
      TSX,
      [
        ...['signaling/cli.ts', 'users', 'disable', 'alice', '--data-dir', server.config.dataDir],
        ...(server.config.databaseUrl ? ['--database-url', server.config.databaseUrl] : []),
      ],
      {
        cwd: ROOT,
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PARLEY_'))),
      },
    );
    expect(stdout.trim()).toBe('disabled alice');

    // Measured from the command's exit: both sessions, no request from either device.
    expect(await revoked(alice.device)).toBe('disabled');
    expect(await revoked(laptop)).toBe('disabled');
    // The call ended as if she had hung up: bob is told at once, and history has it.
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
    expect(await lastCall(bob.device)).toMatchObject({ callId, endReason: 'completed', missed: false });
    expect(alice.device.all('call.ended')).toEqual([{ callId, reason: 'completed' }]);
    expect(await bob.device.next('presence.changed', (p) => p.presence === 'offline')).toEqual({
      username: 'alice',
      presence: 'offline',
    });
    expect(bob.device.all('session.revoked')).toEqual([]);
  }, 30_000);

  it('disabling an account declines the call ringing for it', async () => {
    server = await startTestServer({ ringTimeout: 60 });
    const alice = await person(server, 'alice');
    const bob = await person(server, 'bob');
    await befriend(alice, bob);
    const { callId } = await bob.device.ok('call.invite', { callee: 'alice', media: 'video' });
    await alice.device.next('call.incoming', (p) => p.callId === callId);

    const out: string[] = [];
    const admin = { readPassword: () => Promise.resolve(''), print: (line: string) => out.push(line) };
    expect(await runAdmin(['disable', 'alice'], server.config, admin)).toBe(0);
    expect(out).not.toContain(ADMIN_USAGE);

    expect(await revoked(alice.device)).toBe('disabled');
    // Not left ringing until the 60 s ring timeout.
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'declined',
    });
    expect(await lastCall(bob.device)).toMatchObject({ callId, endReason: 'declined', missed: false });
  });

  it('POST /api/logout closes that session`s connections and cancels the call it is placing', async () => {
    server = await startTestServer({ ringTimeout: 60 });
    const alice = await person(server, 'alice');
    const bob = await person(server, 'bob');
    await befriend(alice, bob);
    const laptop = await connect(server, (await signIn(server, 'alice')).token); // another session stays
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);

    const out = await postJson(server, httpRoutes.logout, '', { authorization: `Bearer ${alice.token}` });
    expect(out.status).toBe(204);

    expect(await revoked(alice.device)).toBe('signed-out');
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'cancelled',
    });
    expect(await lastCall(bob.device)).toMatchObject({ callId, endReason: 'cancelled', missed: true });
    expect(await laptop.ok('history.list', {})).toMatchObject({ entries: [{ callId }] });
    expect(laptop.all('session.revoked')).toEqual([]);
    expect(laptop.socket.connected).toBe(true);
  });
});
