/**
 * Network faults on one person's link, in both directions, and `liftFaults`
 * to take them all away again.
 *
 * Packets are dropped on their way, never at the sender's socket: what the
 * person receives is dropped by iptables in their namespace (INPUT), what they
 * send by their chain in the root namespace, which sees every frame entering
 * the bridge through their port (to the other person, or to the server and
 * coturn on the bridge's address). A DROP in the sender's own OUTPUT chain
 * would instead fail its `sendto` with EPERM, which is not what a lossy or
 * blocked network does (and Chromium reacts to it differently). Each side's
 * rules are replaced in one `iptables-restore`, so a fault starts (and ends)
 * at once rather than rule by rule.
 *
 * Bandwidth caps are token buckets (`tc tbf`) on both ends of the veth,
 * opened up rather than removed when lifted. There is no `netem` on these
 * machines, so no delay or jitter.
 */
import { spawn } from 'node:child_process';
import { PERSON_IFACE, sh, type Host } from './netbed.js';

type Rule = string;

/** Feeds `input` to a command's stdin; a failure throws with its stderr. */
function withInput(input: string, cmd: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || code}`)),
    );
    child.stdin.end(input);
  });
}

/** When (epoch ms) each direction's rules were in place: what the person receives, and what they send. */
export interface FaultTimes {
  inbound: number;
  outbound: number;
}

/**
 * Replaces the person's rules: `inbound` for what they receive, `outbound` for what they send, both
 * sides at once. The two take effect a little apart (separate commands, one xtables lock, a busy machine
 * may make it most of a second), so each side's moment is returned: measure from the one that matters.
 */
async function setFilters(host: Host, inbound: Rule[], outbound: Rule[]): Promise<FaultTimes> {
  const table = (chain: string, rules: Rule[]) =>
    ['*filter', `-F ${chain}`, ...rules.map((r) => `-A ${chain} ${r}`), 'COMMIT', ''].join('\n');
  const done = (applied: Promise<void>) => applied.then(() => Date.now());
  const [inboundAt, outboundAt] = await Promise.all([
    done(
      withInput(
        table('INPUT', inbound),
        'ip',
        'netns',
        'exec',
        host.ns,
        'iptables-restore',
        '-w',
        '--noflush',
      ),
    ),
    done(withInput(table(host.chain, outbound), 'iptables-restore', '-w', '--noflush')),
  ]);
  return { inbound: inboundAt, outbound: outboundAt };
}

/** Loses this share (0..1) of UDP packets at random, each way: a bad Wi-Fi. */
export function loseUdp(host: Host, probability: number): Promise<FaultTimes> {
  const drop = `-p udp -m statistic --mode random --probability ${probability} -j DROP`;
  return setFilters(host, [drop], [drop]);
}

/** Drops all UDP each way (a firewall that allows only TCP), and TCP to or from some ports too. */
export function blockUdp(host: Host, alsoTcpPorts: number[] = []): Promise<FaultTimes> {
  return setFilters(
    host,
    ['-p udp -j DROP', ...alsoTcpPorts.map((port) => `-p tcp --sport ${port} -j DROP`)],
    ['-p udp -j DROP', ...alsoTcpPorts.map((port) => `-p tcp --dport ${port} -j DROP`)],
  );
}

/**
 * Drops everything but the TCP connection to the signaling server, each way: no media path exists
 * (direct or TURN, UDP, TCP or TLS), while the two people can still ring, answer and hang up.
 */
export function blockAllButSignaling(host: Host, signalingPort: number): Promise<FaultTimes> {
  return setFilters(
    host,
    ['-i lo -j ACCEPT', `-p tcp --sport ${signalingPort} -j ACCEPT`, '-j DROP'],
    [`-p tcp --dport ${signalingPort} -j RETURN`, '-j DROP'],
  );
}

/** Drops everything each way: the cable is out. */
export function blockAll(host: Host): Promise<FaultTimes> {
  return setFilters(host, ['-i lo -j ACCEPT', '-j DROP'], ['-j DROP']);
}

/**
 * Caps the person's link at `kbit` kbit/s each way with a token bucket: their uplink on the interface in
 * their namespace, their downlink on the bridge's end of the veth. The queue holds at most `latencyMs`
 * of data; beyond that packets drop, as on a congested link.
 */
export async function capBandwidth(host: Host, kbit: number, latencyMs = 400): Promise<void> {
  await setBuckets(host, ['rate', `${kbit}kbit`, 'burst', '32kbit', 'latency', `${latencyMs}ms`]);
}

/**
 * A bucket on both ends of the veth, changed in place where there is one: deleting a qdisc would drop
 * everything queued in it, a burst of loss that a link getting faster does not cause.
 */
async function setBuckets(host: Host, params: string[]): Promise<void> {
  const inNs = ['ip', 'netns', 'exec', host.ns, 'tc'] as const;
  const ends = [
    { tc: inNs, dev: PERSON_IFACE },
    { tc: ['tc'] as const, dev: host.bridgePort },
  ];
  await Promise.all(
    ends.map(async ({ tc, dev }) => {
      const [cmd, ...pre] = tc;
      const has = (await sh(cmd, ...pre, 'qdisc', 'show', 'dev', dev)).includes('tbf');
      await sh(cmd, ...pre, 'qdisc', has ? 'change' : 'add', 'dev', dev, 'root', 'tbf', ...params);
    }),
  );
}

/** A lifted cap leaves a bucket far wider than anything the suite sends. */
async function liftCap(host: Host): Promise<void> {
  const capped = (await sh('tc', 'qdisc', 'show', 'dev', host.bridgePort)).includes('tbf');
  if (capped) await setBuckets(host, ['rate', '1gbit', 'burst', '1mb', 'latency', '400ms']);
}

/** Takes every fault off this person's link. */
export async function liftFaults(host: Host): Promise<FaultTimes> {
  await liftCap(host);
  return setFilters(host, [], []);
}
