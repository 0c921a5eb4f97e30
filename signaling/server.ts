/**
 * Builds and runs one signaling server: the database (SQLite, or PostgreSQL), accounts, presence, calls,
 * history, the HTTP endpoints and Socket.IO, and a graceful stop.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { Accounts } from './accounts/accounts.js';
import { limitersInMemory } from './accounts/rate-limits.js';
import type { Sessions } from './accounts/sessions.js';
import { LocalCallRegistry, type CallRegistry } from './calls/registry.js';
import { CallService } from './calls/service.js';
import { ConfigError, type ListenAddress, type ServerConfig } from './config.js';
import { ContactsService } from './contacts/service.js';
import { CallsTable } from './db/calls.js';
import { startCheckpointer } from './db/checkpointer.js';
import { ContactsTable } from './db/contacts.js';
import { openDatabase, type Database } from './db/database.js';
import { SqliteDatabase } from './db/sqlite.js';
import { DeviceBindingsTable } from './db/device-bindings.js';
import { LiveCallsTable } from './db/live-calls.js';
import { timeStatements } from './db/timing.js';
import { HistoryService } from './history/service.js';
import { hostGuard } from './host-check.js';
import { createHttpHandler, originAllowed, refuseHost } from './http.js';
import { iceConfigFor } from './ice.js';
import { httpRoutes } from './protocol/index.js';
import { webClient } from './web.js';
import type { Logger } from './log.js';
import { createMetricsServer } from './metrics-http.js';
import { Metrics } from './metrics.js';
import { MemoryDeviceRegistry, type DeviceRegistry } from './presence/device-registry.js';
import { PresenceService } from './presence/service.js';
import { attachConnections } from './realtime/connection.js';
import { rateLimiter, RequestDispatcher } from './realtime/dispatch.js';
import { requestHandlers } from './realtime/handlers.js';
import { requestLimiters, requestLimits } from './realtime/limits.js';
import { RoomNotifier } from './realtime/notifier.js';
import { joinCluster, type Cluster } from './realtime/cluster.js';
import {
  DEFAULT_REVOCATION_TIMINGS,
  RevocationWatch,
  type RevocationTimings,
} from './realtime/revocations.js';
import { clientConnections, cutOff, disconnectAll, leaveToExit, tellShutdown } from './realtime/shutdown.js';
import type { ParleyServer } from './realtime/types.js';
import { watchStalls, type ConnectionChurn } from './stall-watch.js';

/** Socket.IO frames larger than this close the connection (the biggest real message is an SDP). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const DAY_MS = 24 * 3_600_000;

export interface RunningServer {
  /** `http://host:port` the server listens on. */
  url: string;
  port: number;
  /** `http://host:port/metrics`, with a metrics listener (`metricsListen`). */
  metricsUrl?: string;
  db: Database;
  io: ParleyServer;
  http: HttpServer;
  /**
   * Stops accepting, tells clients, ends ringing calls as interrupted (answered ones stay), closes the
   * database. `exiting`: the process exits right after, so the connections still open at the deadline
   * are left for the exit to close (on a single node; a cluster node lets its devices go one by one).
   */
  close(options?: { exiting?: boolean }): Promise<void>;
}

/** The parts of a server that do I/O: its tables and registries. */
export interface ServerParts {
  callsTable: CallsTable;
  contactsTable: ContactsTable;
  deviceBindings: DeviceBindingsTable;
  /** The sessions as the revocation watch reads and sweeps them. */
  sessions: Sessions;
  devices: DeviceRegistry;
  registry: CallRegistry;
}

/** For tests: a clock for session expiry, how often revocations are read and sessions swept, and parts. */
export interface ServerOptions {
  now?: () => number;
  revocationTimings?: RevocationTimings;
  /** Replaces parts as the server is built, e.g. with a table that fails on its next call. */
  replaceParts?: (parts: ServerParts) => Partial<ServerParts>;
}

export async function startServer(
  config: ServerConfig,
  log: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const opened = await openOrSay(config, log);
  const metrics = new Metrics();
  const db = config.metricsListen
    ? timeStatements(opened, (statement) => metrics.dbStatementSeconds.labels({ statement }))
    : opened;
  if (config.metricsListen) metrics.collectProcessMetrics();
  let closing = false;
  // With Redis, rooms, connected devices, live calls, their timers and the rate limits are shared by every
  // node using it.
  const cluster = config.redisUrl ? await joinOrClose(config.redisUrl, db, log) : undefined;
  // After the last step that can fail before the server is up (a node that cannot reach Redis).
  const checkpointer =
    opened instanceof SqliteDatabase
      ? startCheckpointer(opened, log, {
          onCheckpoint: ({ walPages, heldMs }) => {
            metrics.walPages.set(walPages);
            if (heldMs !== undefined) metrics.walCatchUpHoldSeconds.observe(heldMs / 1000);
          },
        })
      : undefined;
  const makeLimiter = cluster?.makeLimiter ?? limitersInMemory;
  const accounts = new Accounts(db, {
    openRegistration: config.openRegistration,
    registrationsPerHour: config.registrationsPerHour,
    loginThrottle: {
      perAccountAddress: config.loginFailuresPerAccountAddress,
      perAddress: config.loginFailuresPerAddress,
      windowSeconds: config.loginThrottleWindow,
    },
    sessionLifetime: { idleMs: config.sessionIdleDays * DAY_MS, maxMs: config.sessionMaxDays * DAY_MS },
    now: options.now,
    log,
    makeLimiter,
  });

  const httpServer = createServer();
  const hostAllowed = hostGuard(config.host, config.publicHosts, log);
  const io: ParleyServer = new Server(httpServer, {
    transports: ['websocket'],
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    allowRequest: (req, callback) => {
      // A handshake refused here gets no error code; the metrics name why.
      if (!hostAllowed(req)) {
        metrics.handshakeFailures.inc({ reason: 'host-not-allowed' });
        return callback('host not allowed', false);
      }
      if (!originAllowed(req, config.allowedOrigins)) {
        metrics.handshakeFailures.inc({ reason: 'origin-not-allowed' });
        return callback(null, false);
      }
      callback(null, true);
    },
  });
  cluster?.shareRooms(io);
  const churn: ConnectionChurn = { handshakes: 0, disconnects: 0 };
  const stopStallWatch = watchStalls(log, { churn });

  const built: ServerParts = {
    callsTable: new CallsTable(db),
    contactsTable: new ContactsTable(db),
    deviceBindings: new DeviceBindingsTable(db),
    sessions: accounts.sessions,
    devices: cluster?.devices ?? new MemoryDeviceRegistry(),
    registry: cluster?.registry ?? (await LocalCallRegistry.open(new LiveCallsTable(db))),
  };
  const { callsTable, contactsTable, deviceBindings, sessions, devices, registry } = {
    ...built,
    ...options.replaceParts?.(built),
  };
  metrics.readGauges({
    connectedDevices: () => io.sockets.sockets.size,
    liveCalls: () => registry.countByState(),
  });
  const notify = new RoomNotifier(io, metrics);
  const presence = new PresenceService(devices, registry, accounts.users, contactsTable, notify, log);
  const contacts = new ContactsService(accounts.users, contactsTable, presence, notify);
  const history = new HistoryService(callsTable, accounts.users, notify);
  const calls = new CallService({
    registry,
    devices,
    users: accounts.users,
    calls: callsTable,
    contacts,
    presence,
    history,
    notify,
    timings: { ringTimeoutMs: config.ringTimeout * 1000, gracePeriodMs: config.gracePeriod * 1000 },
    timers: cluster && { shared: true, timers: cluster.timers },
    connectWhileRinging: config.connectWhileRinging,
    metrics,
    log,
  });

  // Answered calls of the previous run go on (their media is peer-to-peer); other open rows are closed.
  // In a cluster the calls in Redis are the other nodes' too, and their timers are shared: all stay.
  const resumed = cluster ? (await registry.all()).map((call) => call.id) : await calls.resume();
  if (resumed.length > 0 && !cluster)
    log.info({ calls: resumed.length }, 'resumed answered calls of the previous run');
  const dangling = await callsTable.endDangling(Date.now(), resumed);
  if (dangling > 0)
    log.warn({ calls: dangling }, 'closed calls left open by the previous run as interrupted');
  // A dead node's devices are let go here as if they had disconnected.
  await cluster?.watchNodes(async (device) => {
    await calls.deviceLeft(device);
    await presence.refresh(device.userId, { deviceLeft: true });
  });

  // A Redis that came back empty has forgotten this node's devices and every live call: the devices
  // connect again (and are registered again), and the forgotten calls' rows are closed as interrupted.
  // Rows first: a device that comes back at once already finds its call in history.
  await cluster?.watchState(async () => {
    const live = (await registry.all()).map((call) => call.id);
    const closed = await callsTable.endDangling(Date.now(), live);
    log.warn({ calls: closed }, 'closed the calls redis forgot as interrupted');
    io.local.disconnectSockets(true);
  });

  const connectionsSettled = attachConnections(io, {
    churn,
    accounts,
    devices,
    presence,
    contacts,
    calls,
    history,
    dispatcher: new RequestDispatcher({
      handlers: requestHandlers({
        contacts,
        presence,
        calls,
        history,
        iceConfig: (username) => iceConfigFor(username, config, Date.now()),
      }),
      limits: requestLimiters(requestLimits(config), makeLimiter),
      abuse: rateLimiter(20, 10, 'abuse'),
      metrics,
      findUser: (userId) => accounts.users.findById(userId),
      log,
    }),
    deviceBindings,
    maxDevicesPerUser: config.maxDevicesPerUser,
    isClosing: () => closing,
    // One node's devices are all going, together: nothing of theirs outlives the node (answered calls stay
    // in the registry, and the next start gives their devices the grace period). Other nodes' are not.
    nodeGoing: () => closing && !cluster,
    metrics,
    log,
  });

  const revocations = new RevocationWatch(
    io,
    sessions,
    calls,
    log,
    options.revocationTimings ?? DEFAULT_REVOCATION_TIMINGS,
    cluster !== undefined,
  );

  const handleHttp = createHttpHandler({
    accounts,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    isClosing: () => closing,
    applyRevocations: () => revocations.revokedHere(),
    metrics,
    log,
  });
  const handleWeb = webClient(config.webDir);
  httpServer.on('request', (req, res) => {
    // Socket.IO answers its own path; /api, /api/... and the health check are ours (unknown ones: 404 JSON);
    // the rest is the web client.
    const url = req.url ?? '/';
    if (url.startsWith('/socket.io/')) return;
    if (!hostAllowed(req)) return refuseHost(res);
    if (/^\/api(\/|\?|$)/.test(url) || url.startsWith(httpRoutes.health)) void handleHttp(req, res);
    else handleWeb(req, res);
  });

  const metricsServer = config.metricsListen
    ? createMetricsServer(metrics, hostGuard(config.metricsListen.host, config.publicHosts, log), log)
    : undefined;

  let closed: Promise<void> | undefined;
  const close = ({ exiting = false } = {}) =>
    (closed ??= (async () => {
      closing = true;
      // Telling, disconnecting and waiting for the clients ends SHUTDOWN_DEADLINE_MS after this however
      // many there are; the connections still open then are cut off (see realtime/shutdown.ts).
      const started = Date.now();
      const deadline = started + SHUTDOWN_DEADLINE_MS;
      log.info('shutting down');
      // A scrape reads the database: the metrics listener goes before it closes. The checkpointer's
      // thread stops meanwhile (closing the database checkpoints what is left).
      const metricsClosed = metricsServer && closeMetricsServer(metricsServer);
      const checkpointerStopped = checkpointer?.stop();
      await revocations.stop();
      const clients = clientConnections(io);
      const told = await tellShutdown(io, deadline);
      // Always, deadline or not: every ringing call gets its history row.
      await calls.stop();
      const disconnected = await disconnectAll(io, deadline);
      // With any that began a handshake since (it is refused, but its connection is open).
      const atDeadline = [...new Set([...clients, ...clientConnections(io)])].filter((tcp) => !tcp.destroyed);
      const open = atDeadline.length;
      if (exiting && !cluster) {
        // The process exits next and the kernel closes the connections with it, all at once: Socket.IO's
        // teardown of each (10,000 took seconds) would change nothing that outlives the process.
        leaveToExit(atDeadline);
        httpServer.close();
      } else {
        await cutOff(atDeadline, httpServer);
        await new Promise<void>((resolve) => io.close(() => resolve()));
      }
      // Disconnect handling and presence updates still touch the database: let them finish first.
      await connectionsSettled();
      await presence.settled();
      await metricsClosed;
      await cluster?.close();
      await checkpointerStopped;
      await db.close();
      stopStallWatch();
      // How far it got before the deadline: clients told, disconnected, and connections still open then.
      log.info({ ms: Date.now() - started, told, disconnected, open }, 'stopped');
    })());

  const { port } = await listen(httpServer, config);
  const url = httpUrl(config.host, port);
  log.info({ url, dataDir: config.dataDir }, 'signaling server listening');
  let metricsUrl: string | undefined;
  if (metricsServer && config.metricsListen) {
    const { host, port: wanted } = config.metricsListen;
    try {
      metricsUrl = `${httpUrl(host, (await listen(metricsServer, config.metricsListen)).port)}/metrics`;
    } catch (err) {
      await close();
      const why = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new ConfigError(
        `--metrics-listen / PARLEY_METRICS_LISTEN: cannot listen on ${host}:${wanted}: ${why}`,
      );
    }
    log.info({ url: metricsUrl }, 'metrics listening');
  }

  return { url, port, metricsUrl, db, io, http: httpServer, close };
}

/** Opens the database; a PostgreSQL that cannot be reached is a configuration error. */
async function openOrSay(config: ServerConfig, log: Logger): Promise<Database> {
  try {
    return await openDatabase(config, log);
  } catch (err) {
    if (!config.databaseUrl) throw err;
    throw new ConfigError(
      `--database-url / PARLEY_DATABASE_URL: cannot use PostgreSQL: ${(err as Error).message}`,
    );
  }
}

/** Joins the cluster; if Redis cannot be reached, closes the database and says so. */
async function joinOrClose(url: string, db: Database, log: Logger): Promise<Cluster> {
  try {
    return await joinCluster(url, log);
  } catch (err) {
    await db.close();
    throw new ConfigError(`--redis-url / PARLEY_REDIS_URL: cannot reach Redis: ${(err as Error).message}`);
  }
}

const httpUrl = (host: string, port: number): string =>
  `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * Connections the kernel holds for the server before it accepts them (capped by net.core.somaxconn,
 * 4096 on current Linux). A node taking over a failed node's clients gets thousands of connects at once:
 * with Node's default (511) the queue overflowed, the kernel dropped connects, nginx's 2 s connect
 * timeout marked the surviving node failed and answered "no live upstreams" for 10 s, again and again
 * (`npm run bench:cluster -- --failover-clients 8000`: 350 of 4,000 clients not back within 60 s).
 */
const LISTEN_BACKLOG = 4096;

function listen(server: HttpServer, { host, port }: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops the metrics listener, cutting off a scraper's keep-alive connection. */
function closeMetricsServer(server: HttpServer): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/**
 * How long after shutdown begins the connections still open are cut off. Well under the 3 s a restart
 * may take, leaving room for what follows (closing Socket.IO and the database, the process's exit).
 */
const SHUTDOWN_DEADLINE_MS = 1_000;
