/**
 * A cluster as it is deployed: a redis-server, N Parley nodes as separate processes (the CLI, with
 * --redis-url, --trust-proxy and one shared data folder) and nginx in front with the shipped config.
 * Clients go through nginx only; which node took a device is read from the nodes' logs, and `placeOn`
 * connects through nginx until the device lands on the node a test wants (nginx goes round robin).
 * Everything is torn down by `stop`, also after a failed start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { connect, newDeviceId, type TestDevice } from './harness.js';
import { startNginx, type TestNginx } from './nginx.js';
import { startNodeProcess, type LogLine, type NodeProcess } from './node-process.js';
import { startRedis, type TestRedis } from './redis-server.js';

export interface NginxCluster {
  redis: TestRedis;
  nodes: NodeProcess[];
  nginx: TestNginx;
  /** The one address clients use: nginx. */
  url: string;
  /** The nodes' shared data folder. */
  dataDir: string;
  /** The node that took a device connected through `connectVia` or `placeOn` (by the nodes' logs). */
  nodeOf(device: TestDevice): NodeProcess;
  /** Connects a device through nginx; with the node that took it. */
  connectVia(token: string, deviceId: string): Promise<[TestDevice, NodeProcess]>;
  /** Connects a device through nginx, again until it lands on `node` (a device that landed elsewhere is closed). */
  placeOn(node: NodeProcess, token: string, deviceId?: string): Promise<TestDevice>;
  stop(): Promise<void>;
}

/** `connections`: how many nginx may hold at once (two a client). */
export async function startNginxCluster(
  count: number,
  flags: string[] = [],
  connections?: number,
): Promise<NginxCluster> {
  const undo: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const redis = await startRedis();
    undo.push(() => redis.stop());
    const dataDir = await mkdtemp(join(tmpdir(), 'parley-nginx-cluster-'));
    undo.push(() => rm(dataDir, { recursive: true, force: true }));
    const nodeFlags = ['--data-dir', dataDir, '--redis-url', redis.url, '--trust-proxy', 'true', ...flags];
    const startNode = async (): Promise<NodeProcess> => {
      const node = await startNodeProcess(await freePort(), nodeFlags);
      undo.push(() => node.kill());
      return node;
    };
    // The first node creates the database; the others, which open it, start together (a start takes
    // seconds on a loaded machine).
    const first = await startNode();
    const nodes = [first, ...(await Promise.all(Array.from({ length: count - 1 }, startNode)))];
    const nginx = await startNginx(
      nodes.map((n) => n.address),
      connections,
    );
    undo.push(() => nginx.stop());

    const alive = (): NodeProcess[] =>
      nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    const where = new Map<string, NodeProcess>();
    const nodeOf = (device: TestDevice): NodeProcess => {
      const node = where.get(device.deviceId);
      if (!node) throw new Error(`device ${device.deviceId} was not connected through connectVia`);
      return node;
    };
    /** Connects through nginx and finds the node that took the device by its log line. */
    const connectVia = async (token: string, deviceId: string): Promise<[TestDevice, NodeProcess]> => {
      const candidates = alive();
      const marks = candidates.map((n) => n.lines.length);
      const device = await connect({ url: nginx.url }, token, deviceId);
      const isConnect = (l: LogLine): boolean => l.msg === 'device connected' && l.deviceId === deviceId;
      const node = await Promise.any(
        candidates.map((n, i) => n.nextLine(isConnect, { from: marks[i] }).then(() => n)),
      );
      where.set(deviceId, node);
      return [device, node];
    };
    const placeOn = async (
      node: NodeProcess,
      token: string,
      deviceId = newDeviceId(),
    ): Promise<TestDevice> => {
      // nginx goes round robin over the nodes that are up: one lap lands on each of them.
      for (let attempt = 0; attempt <= nodes.length; attempt++) {
        const [device, landed] = await connectVia(token, deviceId);
        if (landed === node) return device;
        const mark = landed.lines.length;
        device.close();
        await landed.nextLine((l) => l.msg === 'device disconnected' && l.deviceId === deviceId, {
          from: mark,
        });
      }
      throw new Error(`nginx never sent device ${deviceId} to ${node.address}`);
    };
    return { redis, nodes, nginx, url: nginx.url, dataDir, nodeOf, connectVia, placeOn, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
