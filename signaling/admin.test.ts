/** The `users` admin commands against a real data directory, and their effect on a running server. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_USAGE, runAdmin } from './admin.js';
import { loadConfig, type ServerConfig } from './config.js';
import { httpRoutes } from './protocol/index.js';
import {
  connect,
  PASSWORD,
  postJson,
  register,
  signIn,
  startTestServer,
  type TestServer,
} from './test-support/harness.js';

let config: ServerConfig;
let server: TestServer | undefined;
/** This test's temporary folder: the data folder, or (when a test moves it) its parent. */
let tempDir: string;

beforeEach(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'parley-admin-'));
  config = { ...loadConfig([], {}), dataDir: tempDir };
});

afterEach(async () => {
  await server?.stop({ removeData: false });
  server = undefined;
  rmSync(tempDir, { recursive: true, force: true });
});

/** Runs one admin command with a scripted password, capturing what it prints. */
async function admin(args: string[], password = PASSWORD): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  let asked = 0;
  const code = await runAdmin(args, config, {
    readPassword: async () => {
      asked++;
      return password;
    },
    print: (line) => out.push(line),
  });
  if (asked > 1) throw new Error('the password was read more than once');
  return { code, out };
}

/** The rows of `users list`: username, display name, state. */
async function listed(): Promise<string[][]> {
  const { code, out } = await admin(['list']);
  expect(code).toBe(0);
  return out.map((line) => line.split('\t').slice(0, 3));
}

const startOnDataDir = async () => (server = await startTestServer({ dataDir: config.dataDir }));
const login = (username: string) =>
  postJson(server!, httpRoutes.login, { username, password: PASSWORD }).then((r) => ({
    status: r.status,
    code: (r.body as { error?: { code: string } } | undefined)?.error?.code,
  }));

describe('users admin commands', () => {
  it('add creates an account that list shows and the server signs in', async () => {
    expect(await listed()).toEqual([]);
    expect(await admin(['add', 'alice', '--display-name', 'Alice A.'])).toEqual({
      code: 0,
      out: ['added alice'],
    });
    expect(await admin(['add', 'bob'])).toEqual({ code: 0, out: ['added bob'] });
    const rows = await listed();
    expect(rows).toEqual([
      ['alice', 'Alice A.', 'active'],
      ['bob', 'bob', 'active'],
    ]);
    const { out } = await admin(['list']);
    expect(out[0]!.split('\t')[3]).toMatch(/^\d{4}-\d\d-\d\dT/);

    await startOnDataDir();
    const grant = await signIn(server!, 'alice');
    expect(grant.user).toEqual({ username: 'alice', displayName: 'Alice A.' });
  });

  it('add of a taken username exits 1 and prints E_USERNAME_TAKEN', async () => {
    await admin(['add', 'alice']);
    const dup = await admin(['add', 'alice', '--display-name', 'Other']);
    expect(dup.code).toBe(1);
    expect(dup.out.join('\n')).toContain('E_USERNAME_TAKEN');
    expect(await listed()).toEqual([['alice', 'alice', 'active']]);
  });

  it('add with a bad username or a short password exits 2 and adds nothing', async () => {
    for (const bad of ['Alice', 'ab', 'a'.repeat(33), 'no spaces']) {
      const res = await admin(['add', bad]);
      expect(res.code, bad).toBe(2);
      expect(res.out.join('\n'), bad).toMatch(/^error: .*username/);
    }
    const short = await admin(['add', 'alice'], 'short');
    expect(short.code).toBe(2);
    expect(short.out.join('\n')).toMatch(/^error: .*password/);
    const missing = await admin(['add']);
    expect(missing.code).toBe(2);
    expect(await listed()).toEqual([]);
  });

  it('add with a bidi, invisible or control character in the display name exits 2 and adds nothing', async () => {
    for (const name of ['Bob \u202Egnp.exe', 'Bo\u200Bb', '\u2066Bob\u2069', 'Bob\u2028Admin', 'Bob\tB']) {
      const res = await admin(['add', 'bob', '--display-name', name]);
      expect(res.code, JSON.stringify(name)).toBe(2);
      expect(res.out, JSON.stringify(name)).toEqual([
        expect.stringMatching(/^error: displayName: no control, invisible format/),
      ]);
    }
    expect(await listed()).toEqual([]);
  });

  it('add collapses runs of spaces in the display name', async () => {
    expect(await admin(['add', 'alice', '--display-name', '  Alice   Liddell '])).toEqual({
      code: 0,
      out: ['added alice'],
    });
    expect(await listed()).toEqual([['alice', 'Alice Liddell', 'active']]);
  });

  it('disable refuses sign-in on a server using the same data; enable allows it again', async () => {
    await admin(['add', 'alice']);
    expect(await admin(['disable', 'alice'])).toEqual({ code: 0, out: ['disabled alice'] });
    expect(await listed()).toEqual([['alice', 'alice', 'disabled']]);

    await startOnDataDir();
    expect(await login('alice')).toEqual({ status: 401, code: 'E_AUTH_FAILED' });

    expect(await admin(['enable', 'alice'])).toEqual({ code: 0, out: ['enabled alice'] });
    expect(await listed()).toEqual([['alice', 'alice', 'active']]);
    expect(await login('alice')).toEqual({ status: 200, code: undefined });
  });

  it('disable or enable of an unknown user exits 1 with E_NOT_FOUND', async () => {
    for (const command of ['disable', 'enable']) {
      const res = await admin([command, 'ghost']);
      expect(res.code).toBe(1);
      expect(res.out.join('\n')).toContain('E_NOT_FOUND');
    }
  });

  it('an unknown or incomplete command prints the usage and exits 2', async () => {
    expect(await admin(['frobnicate'])).toEqual({ code: 2, out: [ADMIN_USAGE] });
    expect(await admin([])).toEqual({ code: 2, out: [ADMIN_USAGE] });
    expect(await admin(['disable'])).toEqual({ code: 2, out: [ADMIN_USAGE] });
    expect(ADMIN_USAGE).toContain('users add');
  });

  it('bad arguments are said plainly, exit 2 and create no database', async () => {
    config = { ...config, dataDir: join(config.dataDir, 'not-yet') };
    expect(await admin(['frobnicate'])).toEqual({ code: 2, out: [ADMIN_USAGE] });
    expect(await admin(['add'])).toEqual({ code: 2, out: [ADMIN_USAGE] });
    const negative = await admin(['seed', '4', '--contacts', '-2']);
    expect(negative.code).toBe(2);
    expect(negative.out).toEqual([expect.stringMatching(/^error: .*--contacts/)]);
    expect(await admin(['list', '--nonsense', 'x'])).toMatchObject({ code: 2 });
    expect(existsSync(config.dataDir), 'no data folder made').toBe(false);
  });

  it('disabling a user while the server runs ends their open connections without a request', async () => {
    await startOnDataDir();
    const { token } = await register(server!, 'alice');
    const bobGrant = await register(server!, 'bob');
    const alice = await connect(server!, token);
    const bob = await connect(server!, bobGrant.token);
    const gone = new Promise<string>((resolve) => alice.socket.once('disconnect', resolve));

    expect(await admin(['disable', 'alice'])).toEqual({ code: 0, out: ['disabled alice'] });

    expect(await alice.next('session.revoked')).toEqual({ reason: 'disabled' });
    expect(await gone).toBe('io server disconnect');
    // Her session is revoked, and others are unaffected.
    await expect(connect(server!, token)).rejects.toMatchObject({ data: { code: 'E_UNAUTHORIZED' } });
    expect(await login('alice')).toEqual({ status: 401, code: 'E_AUTH_FAILED' });
    expect(await bob.ok('history.list', {})).toMatchObject({ entries: [] });
    expect(bob.all('session.revoked')).toEqual([]);
    bob.close();
  });
});
