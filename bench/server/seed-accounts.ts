/**
 * Accounts for a benchmark, made by the project's own bulk command (`users seed`: mutual contacts, one
 * session each, a password hashed once), so that thousands of them take seconds, not the minutes argon2
 * would take per sign-up. The sessions file it writes (`username<TAB>token` per line) is read back here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from './processes.js';

export interface SeededAccount {
  username: string;
  token: string;
}

export interface SeedOptions {
  dataDir: string;
  count: number;
  /** Usernames are the prefix and a number from 0. */
  prefix: string;
  contacts: number;
  password: string;
  /** Where the command writes the sessions (workers may read the file too). */
  sessionsFile: string;
  /** More `users seed` arguments (e.g. `--database-url`). */
  extraArgs?: string[];
  /** Whether the command's progress lines are shown. */
  quiet?: boolean;
}

export function seedAccounts(o: SeedOptions): SeededAccount[] {
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'signaling/cli.ts',
      'users',
      'seed',
      String(o.count),
      '--prefix',
      o.prefix,
      '--contacts',
      String(o.contacts),
      '--sessions-file',
      o.sessionsFile,
      '--data-dir',
      o.dataDir,
      ...(o.extraArgs ?? []),
    ],
    { cwd: ROOT, input: `${o.password}\n`, stdio: ['pipe', o.quiet ? 'ignore' : 'inherit', 'inherit'] },
  );
  return readFileSync(o.sessionsFile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [username, token] = line.split('\t') as [string, string];
      return { username, token };
    });
}
