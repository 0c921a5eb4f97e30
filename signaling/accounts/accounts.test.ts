import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { databasesPerFile } from '../test-support/databases.js';
import { Accounts, type AccountsOptions } from './accounts.js';

let dir: string;
let db: Database;

const ADDR = '198.51.100.7';
const generous = { perAccountAddress: 100, perAddress: 100, windowSeconds: 60 };
const accounts = (options: Partial<AccountsOptions> = {}) =>
  new Accounts(db, { openRegistration: true, loginThrottle: generous, ...options });

const alice = { username: 'alice', displayName: 'Alice A.', password: 'correct horse battery' };
const bob = { username: 'bob', displayName: 'Bob B.', password: 'bobs secret pass' };

/** The AppError a promise rejects with. */
async function appError(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(databasesPerFile())('on $name', (database) => {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
    db = await openDatabase({ dataDir: dir, ...(await database.fresh()) });
  });

  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('Accounts', () => {
    it('registers and signs in with a 256-bit token stored only as a SHA-256 hash', async () => {
      const acc = accounts();
      const grant = await acc.registerAndSignIn(alice, ADDR);

      expect(grant.user).toEqual({ username: 'alice', displayName: 'Alice A.' });
      expect(grant.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);

      const rows = await db.all<{ token_hash: unknown }>('SELECT token_hash FROM sessions');
      expect(rows).toHaveLength(1);
      const stored = rows[0]!.token_hash;
      expect(Buffer.isBuffer(stored)).toBe(true);
      expect((stored as Buffer).length).toBe(32);
      expect((stored as Buffer).equals(Buffer.from(grant.token))).toBe(false);
      expect((stored as Buffer).toString('base64url')).not.toBe(grant.token);
      expect((stored as Buffer).includes(Buffer.from(grant.token))).toBe(false);

      const user = await acc.authenticate(grant.token);
      expect(user).toMatchObject({ username: 'alice', displayName: 'Alice A.', disabledAt: null });
    });

    it('stores the password as argon2id with m=19456,t=2,p=1', async () => {
      const user = await accounts().register(alice);
      expect(user).toMatchObject({
        username: 'alice',
        displayName: 'Alice A.',
        dnd: false,
        disabledAt: null,
      });
      const { passwordHash } = (await accounts().users.findForSignIn('alice'))!;
      expect(passwordHash.startsWith('$argon2id$')).toBe(true);
      expect(passwordHash).toContain('m=19456,t=2,p=1');
      expect(passwordHash).not.toContain(alice.password);
    });

    it('refuses a username that is taken', async () => {
      const acc = accounts();
      await acc.register(alice);
      const err = await appError(acc.register({ ...alice, displayName: 'Other Alice' }));
      expect(err.code).toBe('E_USERNAME_TAKEN');
      expect(await acc.users.list()).toHaveLength(1);
    });

    it('refuses registration when it is closed, unless done by an admin', async () => {
      const acc = accounts({ openRegistration: false });
      expect((await appError(acc.register(alice))).code).toBe('E_REGISTRATION_CLOSED');
      expect((await appError(acc.registerAndSignIn(alice, ADDR))).code).toBe('E_REGISTRATION_CLOSED');
      expect(await acc.users.list()).toEqual([]);

      const user = await acc.register(alice, true);
      expect(user.username).toBe('alice');
      expect((await acc.users.findByUsername('alice'))?.id).toBe(user.id);
    });

    it('signs in with the right password; wrong password and unknown user fail alike', async () => {
      const acc = accounts();
      await acc.register(alice);

      const grant = await acc.signIn('alice', alice.password, '10.0.0.1');
      expect(grant.user).toEqual({ username: 'alice', displayName: 'Alice A.' });
      expect((await acc.authenticate(grant.token))?.username).toBe('alice');

      const wrong = await appError(acc.signIn('alice', 'not the password', '10.0.0.1'));
      const unknown = await appError(acc.signIn('nobody', alice.password, '10.0.0.1'));
      expect(wrong.code).toBe('E_AUTH_FAILED');
      expect(unknown.code).toBe('E_AUTH_FAILED');
      expect(unknown.message).toBe(wrong.message);
    });

    it('throttles an account from one address after repeated failures there, even with the right password', async () => {
      const acc = accounts({ loginThrottle: { perAccountAddress: 3, perAddress: 100, windowSeconds: 60 } });
      await acc.register(alice);

      for (let i = 0; i < 3; i++) {
        expect((await appError(acc.signIn('alice', `wrong-${i}`, '10.0.0.1'))).code).toBe('E_AUTH_FAILED');
      }
      const limited = await appError(acc.signIn('alice', alice.password, '10.0.0.1'));
      expect(limited.code).toBe('E_RATE_LIMITED');
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.toProtocol()).toMatchObject({
        code: 'E_RATE_LIMITED',
        retryAfterMs: limited.retryAfterMs,
      });
      expect(await db.get('SELECT count(*) AS n FROM sessions')).toEqual({ n: 0 });

      // The owner elsewhere is not locked out.
      expect((await acc.signIn('alice', alice.password, '10.0.0.99')).user.username).toBe('alice');
    });

    it('throttles an address after failures across different accounts', async () => {
      const acc = accounts({ loginThrottle: { perAccountAddress: 100, perAddress: 3, windowSeconds: 60 } });
      await acc.register(alice);

      for (const name of ['carol', 'dave', 'erin']) {
        expect((await appError(acc.signIn(name, 'whatever-pass', '192.0.2.7'))).code).toBe('E_AUTH_FAILED');
      }
      const limited = await appError(acc.signIn('alice', alice.password, '192.0.2.7'));
      expect(limited.code).toBe('E_RATE_LIMITED');
      expect(limited.retryAfterMs).toBeGreaterThan(0);

      // Another address is not affected.
      expect((await acc.signIn('alice', alice.password, '192.0.2.8')).user.username).toBe('alice');
    });

    it('signs out one session, leaving the others', async () => {
      const acc = accounts();
      const first = await acc.registerAndSignIn(alice, ADDR);
      const second = await acc.signIn('alice', alice.password, '10.0.0.1');
      expect(second.token).not.toBe(first.token);

      expect(await acc.signOut(first.token)).toBe(true);
      expect(await acc.authenticate(first.token)).toBeUndefined();
      expect((await acc.authenticate(second.token))?.username).toBe('alice');
      expect(await acc.signOut(first.token)).toBe(false);
      expect(await acc.authenticate('not-a-token')).toBeUndefined();
    });

    it('disable revokes every session and blocks sign-in; enable allows it again', async () => {
      const acc = accounts();
      const a1 = await acc.registerAndSignIn(alice, ADDR);
      const b1 = await acc.registerAndSignIn(bob, ADDR);
      const a2 = await acc.signIn('alice', alice.password, '10.0.0.1');

      const disabled = await acc.disable('alice');
      expect(disabled.disabledAt).not.toBeNull();
      expect(await acc.authenticate(a1.token)).toBeUndefined();
      expect(await acc.authenticate(a2.token)).toBeUndefined();
      expect((await acc.authenticate(b1.token))?.username).toBe('bob');

      const refused = await appError(acc.signIn('alice', alice.password, '10.0.0.1'));
      expect(refused.code).toBe('E_AUTH_FAILED');

      expect((await acc.enable('alice')).disabledAt).toBeNull();
      const again = await acc.signIn('alice', alice.password, '10.0.0.1');
      expect((await acc.authenticate(again.token))?.username).toBe('alice');
      expect(await acc.authenticate(a1.token)).toBeUndefined();
    });

    it('refuses admin actions on an unknown user', async () => {
      const acc = accounts();
      expect((await appError(acc.disable('ghost'))).code).toBe('E_NOT_FOUND');
      expect((await appError(acc.enable('ghost'))).code).toBe('E_NOT_FOUND');
    });
  });

  describe('self-service registration limit', () => {
    it('refuses more registrations per address than allowed, and changes nothing', async () => {
      const acc = accounts({ registrationsPerHour: 1 });
      await acc.registerAndSignIn(alice, ADDR);
      const err = await appError(acc.registerAndSignIn(bob, ADDR));
      expect(err.code).toBe('E_RATE_LIMITED');
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(await acc.users.findByUsername('bob')).toBeUndefined();
      await acc.registerAndSignIn(bob, '203.0.113.9');
      expect(await acc.users.findByUsername('bob')).toBeDefined();
    });
  });
});
