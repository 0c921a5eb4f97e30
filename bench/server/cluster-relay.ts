/**
 * `npm run bench:cluster` (see bench/README.md): what a second node costs a relayed message. Starts a
 * cluster as it is deployed (redis-server, two node processes, nginx with deploy/nginx/parley.conf;
 * signaling/test-support/nginx-cluster.ts), sets up two answered calls, one between two devices on the
 * same node and one between devices on different nodes, and relays signals through both, one at a time
 * and alternating, so that both pairs see the same machine. A signal's latency is from the sender's
 * emit to the receiver's event, both in this process. Prints a table and writes
 * bench-results/cluster-relay.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { befriend, register, type Person, type TestDevice } from '../../signaling/test-support/harness.js';
import { startNginxCluster, type NginxCluster } from '../../signaling/test-support/nginx-cluster.js';
import { summarize, type LatencySummary } from './figures.js';

const { values } = parseArgs({ options: { signals: { type: 'string', default: '2000' } } });
const SIGNALS = Number(values.signals);

/** Two people with an answered call between them, the caller's device on `callerNode`, the callee's on `calleeNode`. */
async function answeredCall(
  cluster: NginxCluster,
  name: string,
  callerNode: number,
  calleeNode: number,
): Promise<{ callId: string; caller: TestDevice; callee: TestDevice }> {
  const person = async (username: string, node: number): Promise<Person> => {
    const { token } = await register({ url: cluster.url }, username);
    return { username, token, device: await cluster.placeOn(cluster.nodes[node]!, token) };
  };
  const caller = await person(`${name}a`, callerNode);
  const callee = await person(`${name}b`, calleeNode);
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

const round = (ms: number): number => Math.round(ms * 100) / 100;

async function main(): Promise<void> {
  const load = loadavg()[0]!;
  const cluster = await startNginxCluster(2, ['--relay-per-10s', '1000000']);
  try {
    const same = await answeredCall(cluster, 'same', 0, 0);
    const cross = await answeredCall(cluster, 'cross', 0, 1);
    const latencies = { same: [] as number[], cross: [] as number[] };
    for (let i = 0; i < 100; i++) await Promise.all([relayOnce(same, -i), relayOnce(cross, -i)]); // warm-up
    for (let i = 0; i < SIGNALS; i++) {
      latencies.same.push(await relayOnce(same, i));
      latencies.cross.push(await relayOnce(cross, i));
    }
    const summary: Record<'same' | 'cross', LatencySummary> = {
      same: summarize(latencies.same),
      cross: summarize(latencies.cross),
    };
    const rows = (['p50', 'p99', 'max'] as const).map((key) => ({
      figure: `relay latency ${key} (ms)`,
      'same node': round(summary.same[key]),
      'across nodes': round(summary.cross[key]),
      'added by the second node': round(summary.cross[key] - summary.same[key]),
    }));
    console.table(rows);
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverageAtStart: load };
    console.log(`signals per pair: ${SIGNALS}; machine: ${JSON.stringify(machine)}`);
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(
      'bench-results/cluster-relay.json',
      `${JSON.stringify({ signals: SIGNALS, machine, summary, at: new Date().toISOString() }, null, 2)}\n`,
    );
    console.log('wrote bench-results/cluster-relay.json');
  } finally {
    await cluster.stop();
  }
}

await main();
