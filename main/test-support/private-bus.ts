/**
 * A private D-Bus session bus for tests: a `dbus-daemon` of its own on a socket in a temporary folder,
 * with no service activation (nothing on the machine, such as an installed notification daemon, starts
 * on it unasked), and stopped by the test. Tests that need it skip, saying why, where dbus-daemon is
 * missing (`apt-get install dbus`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach } from 'vitest';

export interface PrivateBus {
  /** The bus address, as DBUS_SESSION_BUS_ADDRESS would hold it. */
  address: string;
  /** Stops the daemon (every connection on it ends) and removes its folder. */
  stop(): Promise<void>;
}

/** Why private-bus tests cannot run here, or null when they can. */
export function privateBusUnavailable(): string | null {
  const found = spawnSync('dbus-daemon', ['--version'], { stdio: 'ignore' });
  return found.error || found.status !== 0 ? 'dbus-daemon is not installed (apt-get install dbus)' : null;
}

/**
 * Starts a bus. `listen` picks the kind of address: a socket file (what systemd gives a desktop session),
 * or an abstract socket (what dbus-launch gives on many systems).
 */
export async function startPrivateBus(listen: 'path' | 'abstract' = 'path'): Promise<PrivateBus> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-dbus-'));
  const address = listen === 'path' ? `unix:path=${join(dir, 'bus')}` : `unix:abstract=${join(dir, 'bus')}`;
  const config = join(dir, 'bus.conf');
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>${address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const daemon = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept for the error below: an unprivileged daemon also complains here about raising its fd limit.
  let said = '';
  daemon.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const printed = await firstLine(daemon, () => said);
  return {
    address: printed,
    stop: async () => {
      if (daemon.exitCode === null) {
        const exited = new Promise((resolve) => daemon.once('exit', resolve));
        daemon.kill();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The daemon prints its address once it listens. */
function firstLine(daemon: ChildProcess, said: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: daemon.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line.trim());
    });
    daemon.once('error', reject);
    daemon.once('exit', (code) =>
      reject(new Error(`dbus-daemon exited (${code}) before listening: ${said()}`)),
    );
  });
}

/**
 * A fresh private bus for each test of the file (none where `unavailable` says why not), and `cleanup`: what
 * a test adds there is undone after it, last first, before the bus stops.
 */
export function privateBusPerTest(unavailable: string | null): {
  readonly bus: PrivateBus;
  cleanup: (() => unknown)[];
} {
  let current: PrivateBus | null = null;
  const cleanup: (() => unknown)[] = [];
  beforeEach(async () => {
    if (unavailable) return;
    const bus = (current = await startPrivateBus());
    cleanup.push(() => bus.stop());
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  return {
    get bus() {
      if (!current) throw new Error('no private bus in this test');
      return current;
    },
    cleanup,
  };
}
