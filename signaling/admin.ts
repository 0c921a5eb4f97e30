/**
 * `npm run server -- users ...`: add, list, disable and enable accounts
 * directly in the server's database.
 */
import { parseArgs } from 'node:util';
import { Accounts } from './accounts/accounts.js';
import type { ServerConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { AppError, describeInvalid } from './errors.js';
import { RegisterRequest } from './protocol/index.js';

export const ADMIN_USAGE = `usage:
  npm run server -- users add <username> [--display-name NAME] [--data-dir DIR]
      (reads the password from standard input: one line)
  npm run server -- users list [--data-dir DIR]
  npm run server -- users disable <username> [--data-dir DIR]
  npm run server -- users enable <username> [--data-dir DIR]`;

export interface AdminIo {
  readPassword(): Promise<string>;
  print(line: string): void;
}

/** Runs one admin command; returns the process exit code. */
export async function runAdmin(args: string[], config: ServerConfig, io: AdminIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: { 'display-name': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [command, username] = positionals;
  const db = openDatabase(config.dataDir);
  try {
    const accounts = new Accounts(db, {
      openRegistration: true,
      loginThrottle: { perAccountAddress: 1, perAddress: 1, windowSeconds: 1 },
    });
    switch (command) {
      case 'list':
        for (const u of accounts.users.list()) {
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
      case 'disable':
      case 'enable': {
        if (!username) break;
        const user = command === 'disable' ? accounts.disable(username) : accounts.enable(username);
        io.print(`${command}d ${user.username}`);
        return 0;
      }
    }
    io.print(ADMIN_USAGE);
    return 2;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    io.print(`error: ${err.code}: ${err.message}`);
    return 1;
  } finally {
    db.close();
  }
}
