/**
 * `npm run server -- users ...`: add, list, disable and enable accounts
 * directly in the server's database, and seed many at once (seed.ts).
 */
import { parseArgs } from 'node:util';
import { Accounts } from './accounts/accounts.js';
import type { ServerConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { AppError, describeInvalid } from './errors.js';
import { RegisterRequest } from './protocol/index.js';
import { passwordProblem, seedAccounts, seedProblem } from './seed.js';

export const ADMIN_USAGE = `usage:
  npm run server -- users add <username> [--display-name NAME] [--data-dir DIR]
      (reads the password from standard input: one line)
  npm run server -- users list [--data-dir DIR]
  npm run server -- users disable <username> [--data-dir DIR]
  npm run server -- users enable <username> [--data-dir DIR]
  npm run server -- users seed <count> [--prefix PREFIX] [--contacts N] [--sessions-file FILE] [--data-dir DIR]
      (accounts PREFIX0 .. PREFIX<count-1>, default prefix "seed", each with N mutual contacts (even,
      default 0), all with the one password read from standard input; --sessions-file: a new file
      (owner-only) with a signed-in session token per account, "username<TAB>token" per line)`;

/** The admin commands' own flags (every other --flag is a server setting), all taking a value. */
export const ADMIN_OPTIONS = {
  'display-name': { type: 'string' },
  prefix: { type: 'string' },
  contacts: { type: 'string' },
  'sessions-file': { type: 'string' },
} as const;

export interface AdminIo {
  readPassword(): Promise<string>;
  print(line: string): void;
}

/** The commands, and whether each needs a username after it (seed says itself what is wrong with its count). */
const NEEDS_NAME: Record<string, boolean> = {
  list: false,
  add: true,
  seed: false,
  disable: true,
  enable: true,
};

/** A decimal whole number, or NaN (so `1e3`, `0x10` and the empty string are refused). */
const wholeNumber = (text: string | undefined): number => (text && /^\d+$/.test(text) ? Number(text) : NaN);

/** Runs one admin command; returns the process exit code. */
export async function runAdmin(args: string[], config: ServerConfig, io: AdminIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: ADMIN_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // `--contacts -2` and the like: said plainly, before the database is touched.
    io.print(`error: ${(err as Error).message}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, username] = positionals;
  if (!command || !(command in NEEDS_NAME) || (NEEDS_NAME[command] && !username)) {
    io.print(ADMIN_USAGE);
    return 2;
  }
  const db = await openDatabase(config);
  try {
    const accounts = new Accounts(db, {
      openRegistration: true,
      loginThrottle: { perAccountAddress: 1, perAddress: 1, windowSeconds: 1 },
    });
    switch (command) {
      case 'list':
        for (const u of await accounts.users.list()) {
          const state = u.disabledAt === null ? 'active' : 'disabled';
          io.print(`${u.username}\t${u.displayName}\t${state}\t${new Date(u.createdAt).toISOString()}`);
        }
        return 0;
      case 'add': {
        const req = RegisterRequest.safeParse({
          username,
          displayName: values['display-name'] ?? username,
          password: await io.readPassword(),
        });
        if (!req.success) {
          io.print(`error: ${describeInvalid(req.error)}`);
          return 2;
        }
        const user = await accounts.register(req.data, true);
        io.print(`added ${user.username}`);
        return 0;
      }
      case 'seed': {
        const shape = {
          prefix: values.prefix ?? 'seed',
          count: wholeNumber(username),
          contacts: wholeNumber(values.contacts ?? '0'),
        };
        const problem = seedProblem(shape);
        const password = problem === undefined ? await io.readPassword() : '';
        const badInput = problem ?? passwordProblem(password);
        if (badInput) {
          io.print(`error: ${badInput}`);
          return 2;
        }
        const seeded = await seedAccounts(db, accounts.sessions, {
          ...shape,
          password,
          sessionsFile: values['sessions-file'],
        });
        io.print(`seeded ${seeded.accounts} accounts, ${seeded.pairs} contact pairs`);
        return 0;
      }
      default: {
        // disable or enable, the commands left
        const user = await (command === 'disable' ? accounts.disable(username!) : accounts.enable(username!));
        io.print(`${command}d ${user.username}`);
        return 0;
      }
    }
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    io.print(`error: ${err.code}: ${err.message}`);
    return 1;
  } finally {
    await db.close();
  }
}
