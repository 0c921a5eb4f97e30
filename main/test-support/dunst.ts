/**
 * A real notification server for tests: Debian's `dunst` on a private bus (test-support/private-bus.ts),
 * drawing on its own Xvfb display. The person's part is played with `dunstctl`: `context` opens dunst's
 * menu of actions through the `dmenu` program its configuration names, here a script that picks the
 * line of the action the test asked for (`choose`). Tests skip, saying why, where Xvfb, dunst or
 * dbus-send (which dunstctl uses) is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateBusUnavailable } from './private-bus.js';

/** Why dunst tests cannot run here, or null when they can. */
export function dunstUnavailable(): string | null {
  for (const [bin, pkg] of [
    ['Xvfb', 'xvfb'],
    ['dunst', 'dunst'],
    ['dbus-send', 'dbus-bin'],
  ] as const) {
    const found = spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    if (found.status !== 0) return `${bin} is not installed (apt-get install ${pkg})`;
  }
  return privateBusUnavailable();
}

export interface Dunst {
  /** The next action picked from dunst's menu: its key, e.g. `accept-video`. */
  choose(key: string): Promise<void>;
  /** Runs dunstctl against this dunst; resolves to what it printed. */
  dunstctl(...args: string[]): string;
  stop(): Promise<void>;
}

/** Starts Xvfb and dunst on the bus at `busAddress`; resolves once dunst owns the notification name. */
export async function startDunst(busAddress: string): Promise<Dunst> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-dunst-'));
  const wanted = join(dir, 'wanted');
  const dmenu = join(dir, 'dmenu.sh');
  // dunst writes one line per action, e.g. `#Accept video (Incoming call) [2,accept-video]`.
  await writeFile(dmenu, `#!/bin/sh\ngrep -m1 -F ",$(cat '${wanted}')]"\n`);
  await chmod(dmenu, 0o755);
  await writeFile(join(dir, 'dunstrc'), `[global]\ndmenu = ${dmenu}\n`);

  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = `:${await firstOutput(xvfb, 3)}`;
  const env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: busAddress };
  const dunst = spawn('dunst', ['-config', join(dir, 'dunstrc')], { env, stdio: 'ignore' });

  const dunstctl = (...args: string[]): string => {
    const run = spawnSync('dunstctl', args, { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`dunstctl ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  };
  await until(() => spawnSync('dunstctl', ['is-paused'], { env }).status === 0, 'dunst on the bus');

  return {
    choose: (key) => writeFile(wanted, key),
    dunstctl,
    stop: async () => {
      await Promise.all([dunst, xvfb].map(end));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Xvfb writes the display number it took to the file descriptor named by -displayfd. */
function firstOutput(child: ChildProcess, fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = child.stdio[fd] as NodeJS.ReadableStream;
    stream.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before taking a display`)));
  });
}

async function end(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

/** Polls `ready` every 50 ms for up to 10 s (dunst takes its bus name within a second when idle). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not within 10 s`);
}
