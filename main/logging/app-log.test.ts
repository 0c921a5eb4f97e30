// The log file, written for real by electron-log's Node logger into a temporary folder: lines with their
// level, owner-only, rotation past the size limit, and no secrets in it whoever logs them.
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppLog, redactSecrets } from './app-log.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-logs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TOKEN = 'Qm9iIGlzIG5vdCBhIHRva2VuIGJ1dCBsb29rcyBsaWtl'; // 43 base64url characters, like a session token

describe('createAppLog', () => {
  it('writes each line with its time and level to main.log, readable by its owner only', async () => {
    const log = createAppLog({ dir, console: false });
    log.info('notifications with buttons through dunst 1.9.0');
    log.error('renderer (main window): TypeError: x is undefined');
    const lines = (await readFile(join(dir, 'main.log'), 'utf8')).trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[info\] +notifications with buttons through dunst 1\.9\.0$/,
      ),
      expect.stringMatching(/\[error\] renderer \(main window\): TypeError: x is undefined$/),
    ]);
    expect((await stat(join(dir, 'main.log'))).mode & 0o777).toBe(0o600);
    expect(log.dir).toBe(dir);
  });

  it('rotates past the size limit: the full file becomes main.old.log, a new one starts', async () => {
    const log = createAppLog({ dir, maxBytes: 1000, console: false });
    for (let i = 0; i < 30; i++) log.info(`line ${i} ${'x'.repeat(60)}`);
    expect((await readdir(dir)).sort()).toEqual(['main.log', 'main.old.log']);
    const current = await readFile(join(dir, 'main.log'), 'utf8');
    const old = await readFile(join(dir, 'main.old.log'), 'utf8');
    expect(current).toContain('line 29 ');
    expect(old).toContain('line 0 ');
    expect((await stat(join(dir, 'main.log'))).size).toBeLessThanOrEqual(1000 + 100);
    // A second rotation replaces the old file: at most two files, ever.
    for (let i = 30; i < 60; i++) log.info(`line ${i} ${'x'.repeat(60)}`);
    expect((await readdir(dir)).sort()).toEqual(['main.log', 'main.old.log']);
    expect(await readFile(join(dir, 'main.old.log'), 'utf8')).not.toContain('line 0 ');
  });

  it('never writes a secret, whoever logs it', async () => {
    const log = createAppLog({ dir, console: false });
    log.error(`renderer: fetch failed for https://parley.example/api?token=${TOKEN}&x=1`);
    log.info(`session saved: ${TOKEN}`);
    const text = await readFile(join(dir, 'main.log'), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('token=[redacted]&x=1');
    expect(text).toContain('session saved: [redacted]');
  });
});

describe('redactSecrets', () => {
  it.each([
    ['{"token":"abc123","user":"alice"}', '{"token":"[redacted]","user":"alice"}'],
    ['password=hunter2 next', 'password=[redacted] next'],
    ["TURN credential: 'c2VjcmV0'", "TURN credential: '[redacted]'"],
    ['Authorization: Bearer eyJhbGciOi.x.y', 'Authorization: [redacted] [redacted]'],
    ['sent Bearer abc.def', 'sent Bearer [redacted]'],
    [`cookie=${TOKEN}`, 'cookie=[redacted]'],
    [`a bare ${TOKEN} token`, 'a bare [redacted] token'],
  ])('%s', (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });

  it('keeps what a bug report needs: call ids, usernames, durations', () => {
    const line = 'call AbCdEfGhIjKlMnOpQrStUv with @alice: connected in 812 ms';
    expect(redactSecrets(line)).toBe(line);
  });
});
