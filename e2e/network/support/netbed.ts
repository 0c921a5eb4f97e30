/**
 * The network test bed: a Linux bridge in the root namespace and one network
 * namespace per simulated person, joined to it by a veth pair. The signaling
 * server and coturn listen on the bridge's address; each person's Chromium
 * runs inside their namespace. Only private addresses of one /24 are used and
 * no namespace has a default route, so nothing leaves the machine.
 *
 * Every name carries the suite's prefix and the id of the run that made it
 * (the Playwright runner's pid, base 36): `plyn-<run>-br` is the bridge,
 * `plyn-<run>-<n>` a person's namespace, their veth end on the bridge and
 * their iptables chain in the root namespace, which the run's chain
 * `plyn-<run>` (jumped to from INPUT and FORWARD) sends every frame that
 * enters the bridge through their port: faults.ts drops what a person sends
 * there, on its way, as a lossy link would. A run removes everything of its
 * own at the end, and at its start everything left by runs whose process is
 * gone, so two runs on one machine never touch each other.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PREFIX = 'plyn';
/** Inside its namespace a person's interface is always called this. */
export const PERSON_IFACE = 'eth0';
const NAME = new RegExp(`^${PREFIX}-([0-9a-z]+)-`);
const CHAIN = new RegExp(`^-N (${PREFIX}-([0-9a-z]+)(?:-\\d+)?)$`);
/** br_netfilter's switch: bridged frames pass through iptables (the run's chain sees them). */
const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';

/** What global setup made, handed to the workers through the environment (BED_ENV). */
export interface Bed {
  /** The run id in names. */
  run: string;
  bridge: string;
  /** The run's iptables chain in the root namespace, jumped to from INPUT and FORWARD. */
  chain: string;
  /** The bridge's address: the server and coturn listen here. */
  gateway: string;
  /** The first three octets of the /24, e.g. "10.123.45". */
  net: string;
  /** Per-run folder: address slots, Chromium wrappers, the TURN certificate. */
  dir: string;
}

export const BED_ENV = 'PARLEY_NETBED';

/** Runs a command; a failure throws with the command line and its stderr. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  try {
    return (await execFileAsync(cmd, args, { encoding: 'utf8' })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

/** The same, synchronously: for the signal handler, which cannot wait for promises. */
function shSync(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `ip` inside namespace `ns`. */
export const ipIn = (ns: string, ...args: string[]) => sh('ip', '-n', ns, ...args);

/**
 * Why this machine cannot run the suite, or null when it can: root, iproute2, iptables and tc,
 * and a namespace that can actually be made (a container may refuse even root).
 */
export function whyUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces exist only on Linux';
  if (process.getuid?.() !== 0) return 'making network namespaces needs root (CI runs as root)';
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['iptables', 'iptables'],
    ['tc', 'iproute2'],
  ] as const) {
    try {
      shSync('sh', '-c', `command -v ${tool}`);
    } catch {
      return `${tool} is missing (apt-get install -y ${pkg})`;
    }
  }
  let bridgeNf = '';
  try {
    bridgeNf = readFileSync(BRIDGE_NF, 'utf8').trim();
  } catch {
    // no br_netfilter
  }
  if (bridgeNf !== '1')
    return `bridged traffic does not pass iptables (${BRIDGE_NF} is ${bridgeNf || 'missing'}): the suite drops what a person sends on the bridge; sysctl -w net.bridge.bridge-nf-call-iptables=1`;
  const probe = `${PREFIX}-${runId(process.pid)}-probe`;
  try {
    shSync('ip', 'netns', 'add', probe);
    shSync('ip', 'netns', 'exec', probe, 'iptables', '-L', '-n');
    shSync('ip', 'netns', 'exec', probe, 'tc', 'qdisc', 'show');
    return null;
  } catch (err) {
    return `cannot make a network namespace with iptables and tc in it: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    try {
      shSync('ip', 'netns', 'del', probe);
    } catch {
      // it was never made
    }
  }
}

export const runId = (pid: number): string => pid.toString(36);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function ourNamespaces(): string[] {
  return shSync('ip', 'netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => NAME.test(name));
}

function ourLinks(): string[] {
  return shSync('ip', '-o', 'link', 'show')
    .split('\n')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '')
    .filter((name) => NAME.test(name));
}

const runOf = (name: string): string => NAME.exec(name)![1]!;

/** The chains of the runs `which` selects in the root namespace. */
function chainsOf(which: (run: string) => boolean): string[] {
  return shSync('iptables', '-w', '-S')
    .split('\n')
    .flatMap((line) => {
      const m = CHAIN.exec(line);
      return m && which(m[2]!) ? [m[1]!] : [];
    });
}

/**
 * Runs a removal that may find its object already gone: during an interrupt the worker's own teardown
 * and the runner's signal handler remove the same things at the same time.
 */
function removing(cmd: string, ...args: string[]): void {
  try {
    shSync(cmd, ...args);
  } catch {
    // already gone
  }
}

/** Unhooks the runs' chains from INPUT and FORWARD, empties them (which drops the jumps between them), removes them. */
function removeChains(chains: string[]): void {
  for (const chain of chains)
    for (const from of ['INPUT', 'FORWARD']) removing('iptables', '-w', '-D', from, '-j', chain);
  for (const chain of chains) removing('iptables', '-w', '-F', chain);
  for (const chain of chains) removing('iptables', '-w', '-X', chain);
}

/**
 * Removes namespaces (with whatever still runs in them: a browser of a crashed run), links and chains of
 * the runs `which` selects, synchronously. Deleting a namespace destroys its veth pair.
 */
function removeWhere(which: (run: string) => boolean): void {
  for (const ns of ourNamespaces().filter((n) => which(runOf(n)))) {
    let pids: string;
    try {
      pids = shSync('ip', 'netns', 'pids', ns);
    } catch {
      continue; // the namespace went meanwhile
    }
    for (const pid of pids.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removing('ip', 'netns', 'del', ns);
  }
  for (const link of ourLinks().filter((l) => which(runOf(l)))) removing('ip', 'link', 'del', link);
  removeChains(chainsOf(which));
}

/** Removes what runs that are no longer alive left behind, their folders included. */
export function sweepLeftovers(): void {
  const dead = (run: string) => !alive(parseInt(run, 36));
  removeWhere(dead);
  for (const entry of readdirSync(tmpdir())) {
    const run = new RegExp(`^${PREFIX}-([0-9a-z]+)$`).exec(entry)?.[1];
    if (run && dead(run)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** Removes everything of one run (idempotent; safe from a signal handler). */
export function removeRun(bed: Bed): void {
  removeWhere((run) => run === bed.run);
  rmSync(bed.dir, { recursive: true, force: true });
}

/** A /24 in 10.0.0.0/8 that no route of this machine touches (another run's bridge has one). */
function freeSubnet(): string {
  const routes = shSync('ip', '-4', 'route', 'show', 'table', 'all');
  for (let attempt = 0; attempt < 50; attempt++) {
    const net = `10.${randomInt(64, 250)}.${randomInt(1, 255)}`;
    if (!routes.includes(`${net}.`)) return net;
  }
  throw new Error('netbed: found no free 10.x.y.0/24');
}

/**
 * A locally administered unicast MAC address for the bridge, which then keeps it. A bridge left to choose
 * takes its lowest port's address and changes it when that port goes, while the people still on the
 * bridge have the old one cached for the server's address: what they sent the server was then lost until
 * their ARP entry ran out, 20-50 s. Ports go late: a namespace outlives `ip netns del` while a socket in
 * it lives, and address-change's (a TCP connection with unsent data from a removed address) stayed on the
 * bridge for 106 s, into the restart scenario, which failed in CI when it went mid-restart.
 */
function fixedMac(): string {
  const octets = [0x02, ...randomBytes(5)];
  return octets.map((octet) => octet.toString(16).padStart(2, '0')).join(':');
}

/** The bridge's MAC address now: what people's namespaces must have for the server's address. */
export const bridgeMac = (bed: Bed): string =>
  readFileSync(`/sys/class/net/${bed.bridge}/address`, 'utf8').trim();

/** Makes the bridge for run `pid` (the Playwright runner's). */
export async function createBed(pid: number): Promise<Bed> {
  const run = runId(pid);
  const net = freeSubnet();
  const bed: Bed = {
    run,
    bridge: `${PREFIX}-${run}-br`,
    chain: `${PREFIX}-${run}`,
    gateway: `${net}.1`,
    net,
    dir: join(tmpdir(), `${PREFIX}-${run}`),
  };
  mkdirSync(bed.dir, { recursive: true });
  await sh('ip', 'link', 'add', bed.bridge, 'address', fixedMac(), 'type', 'bridge');
  await sh('ip', 'addr', 'add', `${bed.gateway}/24`, 'dev', bed.bridge);
  await sh('ip', 'link', 'set', bed.bridge, 'up');
  await sh('iptables', '-w', '-N', bed.chain);
  for (const from of ['INPUT', 'FORWARD']) await sh('iptables', '-w', '-I', from, '-j', bed.chain);
  return bed;
}

/**
 * Takes a free host number (2..254) in the run's /24: mkdir is atomic, so workers of one run never
 * get the same one.
 */
function takeSlot(bed: Bed): number {
  for (let n = 2; n < 255; n++) {
    try {
      mkdirSync(join(bed.dir, `slot-${n}`));
      return n;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error('netbed: all 253 addresses of the run are taken');
}

/** One simulated person's network: a namespace with one interface on the bridge. */
export interface Host {
  /** Namespace name. */
  ns: string;
  /** The veth end on the bridge, in the root namespace: shaping it shapes what the person receives. */
  bridgePort: string;
  /** The person's chain in the root namespace: every frame they send passes through it. */
  chain: string;
  /** The person's address now (it changes with `changeAddress`). */
  address: string;
}

/** Makes a namespace joined to the bridge, with one address and no route beyond the /24. */
export async function addHost(bed: Bed): Promise<Host> {
  const slot = takeSlot(bed);
  const name = `${PREFIX}-${bed.run}-${slot}`;
  const host: Host = { ns: name, bridgePort: name, chain: name, address: `${bed.net}.${slot}` };
  await sh('ip', 'netns', 'add', host.ns);
  await sh(
    'ip',
    'link',
    'add',
    host.bridgePort,
    'type',
    'veth',
    'peer',
    'name',
    PERSON_IFACE,
    'netns',
    host.ns,
  );
  await sh('ip', 'link', 'set', host.bridgePort, 'master', bed.bridge, 'up');
  await ipIn(host.ns, 'link', 'set', 'lo', 'up');
  await ipIn(host.ns, 'addr', 'add', `${host.address}/24`, 'dev', PERSON_IFACE);
  await ipIn(host.ns, 'link', 'set', PERSON_IFACE, 'up');
  await sh('iptables', '-w', '-N', host.chain);
  await sh('iptables', '-w', '-A', bed.chain, ...fromPort(host), '-j', host.chain);
  return host;
}

const fromPort = (host: Host) => ['-m', 'physdev', '--physdev-in', host.bridgePort];

/** Removes a person's namespace (and so its veth pair) and chain. Their browser must be closed first. */
export async function removeHost(bed: Bed, host: Host): Promise<void> {
  await sh('iptables', '-w', '-D', bed.chain, ...fromPort(host), '-j', host.chain);
  await sh('iptables', '-w', '-F', host.chain);
  await sh('iptables', '-w', '-X', host.chain);
  await sh('ip', 'netns', 'del', host.ns);
}

/**
 * Moves the person to a new address of the /24, as a laptop that changed networks: the old address goes
 * first (with it the connections that used it), then the new one comes. `at`: when the old one was gone.
 */
export async function changeAddress(bed: Bed, host: Host): Promise<{ from: string; to: string; at: number }> {
  const from = host.address;
  const to = `${bed.net}.${takeSlot(bed)}`;
  await ipIn(host.ns, 'addr', 'del', `${from}/24`, 'dev', PERSON_IFACE);
  const at = Date.now();
  await ipIn(host.ns, 'addr', 'add', `${to}/24`, 'dev', PERSON_IFACE);
  host.address = to;
  return { from, to, at };
}
