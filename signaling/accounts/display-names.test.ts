/**
 * Display names: the rule (signaling/protocol/common.ts), shownName for names stored before it, and the
 * rule through the real register endpoint: names that could impersonate someone (bidi overrides,
 * invisible characters) are refused and leave no account behind; spaces are collapsed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { UsersTable } from '../db/users.js';
import { DisplayName, httpRoutes, personText, shownName } from '../protocol/index.js';
import { connect, PASSWORD, postJson, startTestServer, type TestServer } from '../test-support/harness.js';

/** Every character the rule refuses, by kind, each inside an otherwise fine name. */
const refused: [string, string][] = [
  ['right-to-left override', 'Bob \u202Egnp.exe'],
  ['left-to-right override', 'Bob \u202Dx'],
  ['right-to-left embedding and pop', '\u202BBob\u202C'],
  ['first-strong isolate', 'Bob \u2068x'],
  ['left-to-right isolate', 'Bob \u2066x'],
  ['right-to-left isolate', 'Bob \u2067x'],
  ['pop directional isolate', 'Bob \u2069x'],
  ['right-to-left mark', 'Bob\u200F'],
  ['left-to-right mark', 'Bob\u200E'],
  ['arabic letter mark', 'Bob\u061C'],
  ['zero-width space', 'Bo\u200Bb'],
  ['word joiner', 'Bo\u2060b'],
  ['byte order mark', '\uFEFFBob'],
  ['soft hyphen', 'Bo\u00ADb'],
  ['tag character', 'Bob\u{E0041}'],
  ['NUL', 'Bob\u0000'],
  ['tab', 'Bob\tSmith'],
  ['newline', 'Bob\nSmith'],
  ['DEL', 'Bob\u007F'],
  ['C1 control', 'Bob\u0085'],
  ['line separator', 'Bob\u2028Smith'],
  ['paragraph separator', 'Bob\u2029Smith'],
  ['lone surrogate', 'Bob\uD800'],
];

describe('DisplayName', () => {
  it.each(refused)('refuses a %s', (_kind, name) => {
    const result = DisplayName.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/no control, invisible format/);
  });

  it('collapses runs of spaces (any Unicode space) and trims', () => {
    expect(DisplayName.parse('  Alice   Liddell  ')).toBe('Alice Liddell');
    expect(DisplayName.parse('Alice\u00A0\u3000Liddell')).toBe('Alice Liddell');
  });

  it('keeps names in any script, with the joiners they need, and emoji', () => {
    for (const name of [
      'Alice Liddell',
      'محمد\u200Cرضا', // Persian: a zero-width non-joiner belongs in the spelling
      'क्\u200Dष', // Devanagari with a zero-width joiner
      'שלום עליכם',
      '👩\u200D💻 Ada',
      'Zoë O’Brien-Łukasz',
    ]) {
      expect(DisplayName.parse(name), name).toBe(name);
    }
  });

  it('is 1 to 64 characters with something visible, counted after collapsing', () => {
    expect(DisplayName.safeParse('').success).toBe(false);
    expect(DisplayName.safeParse('   ').success).toBe(false);
    expect(DisplayName.safeParse('\u200D').success).toBe(false);
    expect(DisplayName.safeParse(' \u200C \u200D ').success).toBe(false);
    expect(DisplayName.parse('x'.repeat(64))).toHaveLength(64);
    expect(DisplayName.safeParse('x'.repeat(65)).success).toBe(false);
    expect(DisplayName.parse(`${'x'.repeat(32)}      ${'y'.repeat(31)}`)).toHaveLength(64);
  });
});

describe('shownName', () => {
  it('removes every refused character from a stored name, so what remains parses', () => {
    for (const [kind, name] of refused) {
      const shown = shownName(name);
      expect(DisplayName.safeParse(shown).success, kind).toBe(true);
    }
    expect(shownName('Bob \u202Egnp.exe')).toBe('Bob gnp.exe');
    expect(shownName('Bob\u2028\u2029Smith')).toBe('BobSmith');
    expect(shownName('  Alice \t Liddell ')).toBe('Alice Liddell');
  });

  it('leaves a valid name as it is', () => {
    for (const name of ['Alice Liddell', 'محمد\u200Cرضا', '👩\u200D💻 Ada'])
      expect(shownName(name)).toBe(name);
  });

  it('may leave nothing (the client then shows the username)', () => {
    expect(shownName('\u202E\u200B')).toBe('');
  });
});

describe('personText', () => {
  it('isolates the shown name and adds the username', () => {
    expect(personText({ username: 'alice', displayName: 'Alice Liddell' })).toBe(
      '\u2068Alice Liddell\u2069 (@alice)',
    );
    expect(personText({ username: 'bob', displayName: 'Bob \u202Egnp.exe' })).toBe(
      '\u2068Bob gnp.exe\u2069 (@bob)',
    );
    expect(personText({ username: 'eve', displayName: '\u202E' })).toBe('@eve');
  });

  it('cuts a long name to maxName characters', () => {
    expect(personText({ username: 'x', displayName: 'é'.repeat(50) }, 40)).toBe(
      `\u2068${'é'.repeat(39)}…\u2069 (@x)`,
    );
    expect(personText({ username: 'x', displayName: 'é'.repeat(40) }, 40)).toBe(
      `\u2068${'é'.repeat(40)}\u2069 (@x)`,
    );
  });
});

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function start(): Promise<TestServer> {
  const server = await startTestServer();
  servers.push(server);
  return server;
}

/** The users table as the server wrote it: [username, display name]. */
async function rows(server: TestServer): Promise<[string, string][]> {
  const db = await openDatabase(server.config);
  try {
    return (await new UsersTable(db).list()).map((u) => [u.username, u.displayName]);
  } finally {
    await db.close();
  }
}

const register = (server: TestServer, username: string, displayName: string) =>
  postJson(server, httpRoutes.register, { username, displayName, password: PASSWORD });

describe('register: display names', () => {
  it('refuses "Bob \\u202Egnp.exe" with 400 E_INVALID and creates no account', async () => {
    const server = await start();
    const res = await register(server, 'bob', 'Bob \u202Egnp.exe');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'E_INVALID',
        message: expect.stringMatching(/^displayName: no control, invisible format/),
      },
    });
    expect(await rows(server)).toEqual([]);
    const login = await postJson(server, httpRoutes.login, { username: 'bob', password: PASSWORD });
    expect(login.status).toBe(401);
  });

  it('refuses other bidi, invisible and control characters the same way', async () => {
    const server = await start();
    const names = [
      '\u2067Alice\u2069', // right-to-left isolate
      'Ali\u200Bce', // zero-width space
      '\uFEFFAlice', // byte order mark
      'Alice\u200F', // right-to-left mark
      'Alice\u2028Admin', // line separator
      'Alice\u0000',
      'Alice\nAdmin',
    ];
    for (const [i, name] of names.entries()) {
      const res = await register(server, `user${i}`, name);
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect((res.body as { error: { code: string } }).error.code).toBe('E_INVALID');
    }
    expect(await rows(server)).toEqual([]);
  });

  it('collapses runs of spaces: what is stored, returned and announced is the clean name', async () => {
    const server = await start();
    const res = await register(server, 'alice', '  Alice \u00A0  Liddell ');
    expect(res.status).toBe(201);
    expect((res.body as { user: unknown }).user).toEqual({ username: 'alice', displayName: 'Alice Liddell' });
    expect(await rows(server)).toEqual([['alice', 'Alice Liddell']]);
    const device = await connect(server, (res.body as { token: string }).token);
    expect(device.ready.user).toEqual({ username: 'alice', displayName: 'Alice Liddell' });
  });

  it('accepts two people with the same display name: their usernames tell them apart', async () => {
    const server = await start();
    expect((await register(server, 'alice.l', 'Alice Liddell')).status).toBe(201);
    expect((await register(server, 'alice-l', 'Alice Liddell')).status).toBe(201);
    expect(await rows(server)).toEqual([
      ['alice-l', 'Alice Liddell'],
      ['alice.l', 'Alice Liddell'],
    ]);
  });
});
