/** `users seed`: bulk accounts with mutual contacts and sessions, against a real data directory and server. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdmin } from './admin.js';
import { loadConfig, type ServerConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { connect, PASSWORD, signIn, startTestServer, type TestServer } from './test-support/harness.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

let config: ServerConfig;
let server: TestServer | undefined;

beforeEach(() => {
  config = { ...loadConfig([], {}), dataDir: mkdtempSync(join(tmpdir(), 'parley-seed-')) };
});

afterEach(async () => {
  await server?.stop({ removeData: false });
  server = undefined;
  rmSync(config.dataDir, { recursive: true, force: true });
});

async function admin(args: string[], password = PASSWORD) {
  const out: string[] = [];
  let asked = 0;
  const code = await runAdmin(args, config, {
    readPassword: async () => {
      asked++;
      return password;
    },
    print: (line) => out.push(line),
  });
  return { code, out, asked };
}

/** Row counts and distinct password hashes, read straight from the database. */
async function tables() {
  const db = await openDatabase(config);
  try {
    const count = async (sql: string) => (await db.get<{ n: number }>(sql))!.n;
    return {
      users: await count('SELECT count(*) AS n FROM users'),
      contacts: await count('SELECT count(*) AS n FROM contacts'),
      sessions: await count('SELECT count(*) AS n FROM sessions'),
      hashes: (await db.all<{ h: string }>('SELECT DISTINCT password_hash AS h FROM users')).map((r) => r.h),
    };
  } finally {
    await db.close();
  }
}

const sessionsPath = () => join(config.dataDir, 'sessions.tsv');

/** The sessions file as [username, token] rows. */
const sessionRows = () =>
  readFileSync(sessionsPath(), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t') as [string, string]);

describe('users seed', () => {
  it('makes accounts with mutual contacts and working sessions, hashing the password once', async () => {
    const seeded = await admin([
      'seed',
      '7',
      '--prefix',
      'load',
      '--contacts',
      '4',
      '--sessions-file',
      sessionsPath(),
    ]);
    expect(seeded).toEqual({ code: 0, out: ['seeded 7 accounts, 14 contact pairs'], asked: 1 });

    const rows = await tables();
    expect(rows).toMatchObject({ users: 7, contacts: 28, sessions: 7 });
    expect(rows.hashes).toHaveLength(1);
    expect(rows.hashes[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const sessions = sessionRows();
    expect(sessions.map(([username]) => username)).toEqual([
      'load0',
      'load1',
      'load2',
      'load3',
      'load4',
      'load5',
      'load6',
    ]);
    expect(statSync(sessionsPath()).mode & 0o777).toBe(0o600);

    server = await startTestServer({ dataDir: config.dataDir });
    // Account 0's contacts are the two after it and the two before it, around the ring; all accepted.
    const device = await connect(server, sessions[0]![1]);
    expect(device.ready.user).toEqual({ username: 'load0', displayName: 'load0' });
    expect(device.ready.contacts.map((c) => [c.username, c.state]).sort()).toEqual([
      ['load1', 'accepted'],
      ['load2', 'accepted'],
      ['load5', 'accepted'],
      ['load6', 'accepted'],
    ]);
    // The shared hash is a real one: the password signs in over HTTP like any other account's.
    expect((await signIn(server, 'load3')).user.username).toBe('load3');
  });

  it('without --sessions-file or --contacts makes plain accounts that sign in', async () => {
    expect(await admin(['seed', '3'])).toMatchObject({
      code: 0,
      out: ['seeded 3 accounts, 0 contact pairs'],
    });
    expect(await tables()).toMatchObject({ users: 3, contacts: 0, sessions: 0 });
    server = await startTestServer({ dataDir: config.dataDir });
    expect((await signIn(server, 'seed2')).user.username).toBe('seed2');
  });

  it('a taken username exits 1 with E_USERNAME_TAKEN and leaves no account, contact, session or file', async () => {
    expect((await admin(['add', 'load4'])).code).toBe(0);
    const before = await tables();
    const result = await admin([
      'seed',
      '8',
      '--prefix',
      'load',
      '--contacts',
      '2',
      '--sessions-file',
      sessionsPath(),
    ]);
    expect(result).toMatchObject({ code: 1, out: ['error: E_USERNAME_TAKEN: username load4 is taken'] });
    expect(await tables()).toEqual(before);
    expect(existsSync(sessionsPath())).toBe(false);
  });

  it('an existing sessions file exits 1 with E_INVALID, is left as it was, and nothing is added', async () => {
    writeFileSync(sessionsPath(), 'keep me\n');
    const result = await admin(['seed', '3', '--sessions-file', sessionsPath()]);
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^error: E_INVALID: --sessions-file: EEXIST/);
    expect(readFileSync(sessionsPath(), 'utf8')).toBe('keep me\n');
    expect(await tables()).toMatchObject({ users: 0, sessions: 0 });
  });

  it.each([
    [['seed'], 'count: a whole number'],
    [['seed', '0'], 'count: a whole number'],
    [['seed', '1e3'], 'count: a whole number'],
    [['seed', '5', '--contacts', '3'], '--contacts: an even number below the count'],
    [['seed', '4', '--contacts', '4'], '--contacts: an even number below the count'],
    [['seed', '4', '--contacts=-2'], '--contacts: an even number below the count'],
    [['seed', '3', '--prefix', 'A'], '--prefix: A0 is not a username'],
    [['seed', '100', '--prefix', 'x'.repeat(31)], `--prefix: ${'x'.repeat(31)}99 is not a username`],
  ])('%j exits 2 with a clear error before reading the password, and adds nothing', async (args, message) => {
    const result = await admin(args);
    expect(result).toMatchObject({ code: 2, asked: 0 });
    expect(result.out[0]).toContain(`error: ${message}`);
    expect((await tables()).users).toBe(0);
  });

  it('a short password exits 2 and adds nothing', async () => {
    expect(await admin(['seed', '3'], 'short')).toEqual({
      code: 2,
      out: ['error: password: 8-256 characters'],
      asked: 1,
    });
    expect((await tables()).users).toBe(0);
  });

  it('runs through the real CLI, with its flags told apart from the server settings', async () => {
    const run = promisify(execFile);
    const child = run(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        'signaling/cli.ts',
        'users',
        'seed',
        '5',
        '--prefix=cli',
        '--contacts',
        '2',
        '--data-dir',
        config.dataDir,
      ],
      { cwd: ROOT },
    );
    child.child.stdin!.end(`${PASSWORD}\n`);
    const { stdout } = await child;
    expect(stdout).toBe('seeded 5 accounts, 5 contact pairs\n');
    expect(await tables()).toMatchObject({ users: 5, contacts: 10 });
  });
});
