/**
 * `npm run bench:cluster` (see bench/README.md): what a second node costs a relayed message and a
 * presence change. Starts a cluster as it is deployed (redis-server, two node processes, nginx with
 * deploy/nginx/parley.conf; signaling/test-support/nginx-cluster.ts). Relay: two answered calls, one
 * between two devices on the same node and one between devices on different nodes, signals sent one at
 * a time, alternating, so that both pairs see the same machine; a signal's latency is from the sender's
 * emit to the receiver's event. Presence: one person with contacts half on each node changes presence
 * (do not disturb on, off), 250 ms apart (past the 200 ms coalescing window); each change is timed from
 * the request to every contact's event. Failover (cluster-failover.ts): node one killed under 2,000
 * clients, the time until its clients are back on the other. All clients are in this process (one
 * clock). Prints tables and writes bench-results/cluster.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { befriend, register, type Person, type TestDevice } from '../../signaling/test-support/harness.js';
import { startNginxCluster, type NginxCluster } from '../../signaling/test-support/nginx-cluster.js';
import { measureFailover } from './cluster-failover.js';
import { summarize, type LatencySummary } from './figures.js';
import { openFileHardLimit } from './proc.js';

const { values } = parseArgs({
  options: {
    signals: { type: 'string', default: '2000' },
    contacts: { type: 'string', default: '40' },
    changes: { type: 'string', default: '40' },
    'failover-clients': { type: 'string', default: '2000' },
  },
});
const SIGNALS = Number(values.signals);
const CONTACTS = Number(values.contacts);
const CHANGES = Number(values.changes);
const FAILOVER_CLIENTS = Number(values['failover-clients']);
/** nginx holds two connections a client, an open file each, and cannot go past the open-file hard limit. */
const NGINX_FILES = 2 * FAILOVER_CLIENTS + 1_000;
if (NGINX_FILES > openFileHardLimit()) {
  console.error(
    `error: --failover-clients ${FAILOVER_CLIENTS}: nginx would need ${NGINX_FILES} open files, over this machine's ` +
      `hard limit of ${openFileHardLimit()} (ulimit -Hn): at most ${Math.floor((openFileHardLimit() - 1_000) / 2)} clients`,
  );
  process.exit(2);
}

/** A new person with a device on node `node` (through nginx). */
async function personOn(cluster: NginxCluster, username: string, node: number): Promise<Person> {
  const { token } = await register({ url: cluster.url }, username);
  return { username, token, device: await cluster.placeOn(cluster.nodes[node]!, token) };
}

/** Two people with an answered call between them, the caller's device on `callerNode`, the callee's on `calleeNode`. */
async function answeredCall(
  cluster: NginxCluster,
  name: string,
  callerNode: number,
  calleeNode: number,
): Promise<{ callId: string; caller: TestDevice; callee: TestDevice }> {
  const caller = await personOn(cluster, `${name}a`, callerNode);
  const callee = await personOn(cluster, `${name}b`, calleeNode);
  await befriend(caller, callee);
  const { callId } = await caller.device.ok('call.invite', { callee: callee.username, media: 'audio' });
  await callee.device.next('call.incoming', (p) => p.callId === callId);
  await callee.device.ok('call.accept', { callId });
  await caller.device.next('call.accepted', (p) => p.callId === callId);
  return { callId, caller: caller.device, callee: callee.device };
}

/** Sends one signal from caller to callee; resolves with the ms until the callee got it. */
function relayOnce(
  call: { callId: string; caller: TestDevice; callee: TestDevice },
  n: number,
): Promise<number> {
  const sdp = `v=0 bench ${n}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signal ${n} not relayed within 5 s`)), 5_000);
    const heard = (p: { callId: string; signal: { kind: string; description?: { sdp: string } } }): void => {
      if (p.callId !== call.callId || p.signal.description?.sdp !== sdp) return;
      call.callee.socket.off('call.signal', heard);
      clearTimeout(timer);
      resolve(performance.now() - sentAt);
    };
    call.callee.socket.on('call.signal', heard);
    const sentAt = performance.now();
    call.caller.socket.emit(
      'call.signal',
      {
        callId: call.callId,
        signal: { kind: 'description', description: { type: 'offer', sdp } },
      },
      () => undefined,
    );
  });
}

/** Presence changes of one person on node 0, timed to each contact, by the contact's node. */
async function presenceFanOut(cluster: NginxCluster): Promise<{ same: number[]; cross: number[] }> {
  const announcer = await personOn(cluster, 'announcer', 0);
  const contacts: { person: Person; node: number }[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    const person = await personOn(cluster, `contact${i}`, i % 2);
    await befriend(person, announcer); // the announcer accepts: contact requests are limited to 30 a minute
    contacts.push({ person, node: i % 2 });
  }
  const latencies = { same: [] as number[], cross: [] as number[] };
  for (let c = 0; c < CHANGES; c++) {
    const dnd = c % 2 === 0;
    const presence = dnd ? 'dnd' : 'online';
    const sentAt = performance.now();
    const heard = contacts.map(async ({ person, node }) => {
      await person.device.next(
        'presence.changed',
        (p) => p.username === 'announcer' && p.presence === presence,
      );
      (node === 0 ? latencies.same : latencies.cross).push(performance.now() - sentAt);
    });
    await announcer.device.ok('presence.update', { dnd });
    await Promise.all(heard);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return latencies;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

async function main(): Promise<void> {
  const load = loadavg()[0]!;
  const cluster = await startNginxCluster(
    2,
    ['--relay-per-10s', '1000000', '--registrations-per-hour', '1000'],
    // Two connections a client in nginx, and a third while it fails over, as far as the limit allows.
    Math.min(3 * FAILOVER_CLIENTS + 1_000, openFileHardLimit() - 100),
  );
  // Stopped early (Ctrl-C, a timeout's SIGTERM): its redis-server, nodes and nginx go too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void cluster.stop().finally(() => process.exit(130)));
  try {
    const same = await answeredCall(cluster, 'same', 0, 0);
    const cross = await answeredCall(cluster, 'cross', 0, 1);
    const latencies = { same: [] as number[], cross: [] as number[] };
    for (let i = 0; i < 100; i++) await Promise.all([relayOnce(same, -i), relayOnce(cross, -i)]); // warm-up
    for (let i = 0; i < SIGNALS; i++) {
      latencies.same.push(await relayOnce(same, i));
      latencies.cross.push(await relayOnce(cross, i));
    }
    const presence = await presenceFanOut(cluster);
    console.log(`failover: ${FAILOVER_CLIENTS} clients, node one killed...`);
    const failover = await measureFailover(cluster, FAILOVER_CLIENTS, 10);
    const summary: Record<'relay' | 'presence', Record<'same' | 'cross', LatencySummary>> = {
      relay: { same: summarize(latencies.same), cross: summarize(latencies.cross) },
      presence: { same: summarize(presence.same), cross: summarize(presence.cross) },
    };
    const rows = (['relay', 'presence'] as const).flatMap((what) =>
      (['p50', 'p99', 'max'] as const).map((key) => ({
        figure: `${what} latency ${key} (ms)`,
        'same node': round(summary[what].same[key]),
        'across nodes': round(summary[what].cross[key]),
        'added by the second node': round(summary[what].cross[key] - summary[what].same[key]),
      })),
    );
    console.table(rows);
    const {
      survivorTroubles,
      nginxTroubles,
      refusals,
      notBackHappenings,
      redisCommandsPerFirstConnect,
      redisCommandsPerReconnect,
      ...figures
    } = failover;
    console.table([
      {
        ...figures,
        back99Ms: figures.back99Ms && Math.round(figures.back99Ms),
        backAllMs: figures.backAllMs && Math.round(figures.backAllMs),
        refusals: JSON.stringify(refusals),
      },
    ]);
    const commands = (perClient: Record<string, number>) =>
      Object.entries(perClient)
        .sort(([, a], [, b]) => b - a)
        .map(([command, n]) => `${command} ${n.toFixed(2)}`)
        .join(', ');
    console.log(`Redis commands per first connect: ${commands(redisCommandsPerFirstConnect)}`);
    console.log(`Redis commands per reconnect after the kill: ${commands(redisCommandsPerReconnect)}`);
    for (const [what, count] of Object.entries(survivorTroubles))
      console.log(`surviving node logged ${count}x: ${what}`);
    for (const [what, count] of Object.entries(nginxTroubles)) console.log(`nginx logged ${count}x: ${what}`);
    for (const happenings of notBackHappenings)
      console.log(`a client not back, since the kill:\n  ${happenings.join('\n  ')}`);
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverageAtStart: load };
    const sizes = {
      signals: SIGNALS,
      contacts: CONTACTS,
      changes: CHANGES,
      failoverClients: FAILOVER_CLIENTS,
    };
    console.log(`${JSON.stringify(sizes)}; machine: ${JSON.stringify(machine)}`);
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(
      'bench-results/cluster.json',
      `${JSON.stringify({ ...sizes, machine, summary, failover, at: new Date().toISOString() }, null, 2)}\n`,
    );
    console.log('wrote bench-results/cluster.json');
  } finally {
    await cluster.stop();
  }
}

await main();
