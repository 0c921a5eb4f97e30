/**
 * `users seed`: many accounts at once, each with the same number of mutual
 * contacts, and optionally a session per account written to a file, for load
 * tests and demos (bench/server/ uses it). Everything goes in one transaction:
 * a taken username or any other failure leaves the database as it was.
 *
 * Speed comes from hashing the password once: every seeded account stores the
 * same argon2id hash (the same parameters as any other account), so signing
 * in checks it at full cost. There is no weaker hash anywhere, and nothing
 * here is reachable from HTTP or Socket.IO.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { hashPassword } from './accounts/passwords.js';
import type { Sessions } from './accounts/sessions.js';
import { forEachContactPair } from './contact-ring.js';
import { ContactsTable } from './db/contacts.js';
import type { Sql } from './db/sql.js';
import { UsersTable } from './db/users.js';
import { AppError } from './errors.js';
import { Password, Username } from './protocol/index.js';

/** More accounts than this in one command is a mistake (and a huge transaction). */
export const MAX_SEED_ACCOUNTS = 1_000_000;

export interface SeedRequest {
  /** Usernames are `${prefix}${i}` for i from 0 to count - 1. */
  prefix: string;
  count: number;
  /** Mutual contacts of every account: an even number below `count`. */
  contacts: number;
  password: string;
  /** Writes `username<TAB>token` per account here (a new file, owner-only). */
  sessionsFile?: string;
}

/** What is wrong with a seed request, or undefined. */
export function seedProblem(req: Omit<SeedRequest, 'password'>): string | undefined {
  if (!Number.isInteger(req.count) || req.count < 1 || req.count > MAX_SEED_ACCOUNTS)
    return `count: a whole number from 1 to ${MAX_SEED_ACCOUNTS}`;
  if (
    !Number.isInteger(req.contacts) ||
    req.contacts < 0 ||
    req.contacts % 2 !== 0 ||
    req.contacts >= req.count
  )
    return '--contacts: an even number below the count (account i gets i ± 1 .. i ± contacts/2)';
  // Every username has the prefix's characters and at most the last one's length.
  for (const username of [`${req.prefix}0`, `${req.prefix}${req.count - 1}`]) {
    if (!Username.safeParse(username).success)
      return `--prefix: ${username} is not a username (3-32 of a-z 0-9 . _ -)`;
  }
  return undefined;
}

export const passwordProblem = (password: string): string | undefined =>
  Password.safeParse(password).success ? undefined : 'password: 8-256 characters';

function openNewFile(path: string): number {
  try {
    return openSync(path, 'wx', 0o600);
  } catch (err) {
    throw new AppError('E_INVALID', `--sessions-file: ${(err as Error).message}`);
  }
}

/** Seeds the accounts; returns how many accounts and contact pairs were made. */
export async function seedAccounts(
  db: Sql,
  sessions: Sessions,
  req: SeedRequest,
  now = Date.now(),
): Promise<{ accounts: number; pairs: number }> {
  const problem = seedProblem(req) ?? passwordProblem(req.password);
  if (problem) throw new AppError('E_INVALID', problem);
  const passwordHash = await hashPassword(req.password);
  // Opened before anything is written ('wx': never over an existing file), so a bad path changes nothing.
  const fd = req.sessionsFile === undefined ? undefined : openNewFile(req.sessionsFile);
  let pairs = 0;
  try {
    await db.transaction(async (tx) => {
      const [users, contacts] = [new UsersTable(tx), new ContactsTable(tx)];
      const ids: number[] = [];
      const lines: string[] = [];
      for (let i = 0; i < req.count; i++) {
        const username = `${req.prefix}${i}`;
        const user = await users.insert(username, username, passwordHash, now);
        if (!user) throw new AppError('E_USERNAME_TAKEN', `username ${username} is taken`);
        ids.push(user.id);
        if (fd !== undefined) lines.push(`${username}\t${await sessions.create(user.id, tx)}\n`);
      }
      const pairsOf: [number, number][] = [];
      forEachContactPair(req.count, req.contacts, (a, b) => void pairsOf.push([ids[a]!, ids[b]!]));
      for (const [a, b] of pairsOf) await contacts.setPair(a, b, 'accepted', 'accepted', now);
      pairs = pairsOf.length;
      // Inside the transaction: if the tokens cannot be written, the sessions are not kept either.
      if (fd !== undefined) writeSync(fd, lines.join(''));
    });
  } catch (err) {
    if (fd !== undefined) {
      closeSync(fd);
      unlinkSync(req.sessionsFile!);
    }
    throw err;
  }
  if (fd !== undefined) closeSync(fd);
  return { accounts: req.count, pairs };
}
