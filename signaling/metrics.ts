/**
 * The server's Prometheus metrics (prom-client), in one registry per server instance: nothing goes
 * into prom-client's global registry, so servers in one process (tests) never share a count.
 *
 * Counting is always on (an increment costs well under a microsecond); the registry is read only
 * through the metrics listener when the operator sets one (`metricsListen`, `metrics-http.ts`), and
 * only then does the server time its database statements and collect Node's own metrics
 * (`collectProcessMetrics`). docs/deployment.md says what each metric means and what to alert on.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CallEndReason, clientRequests } from './protocol/index.js';

/** The state behind the gauges, read at each scrape from whoever owns it. */
export interface GaugeSources {
  /** Connections past the handshake, on this server. */
  connectedDevices(): number;
  /** Live calls (the call registry), by state. */
  liveCalls(): Promise<Record<LiveCallState, number>>;
}

export type LiveCallState = 'ringing' | 'active';

/** The reasons a handshake is refused: the codes the handshake gives, and the transport's own two. */
const HANDSHAKE_REFUSALS = [
  'E_UNAUTHORIZED',
  'E_DEVICE_TAKEN',
  'E_TOO_MANY_DEVICES',
  'E_SHUTTING_DOWN',
  'E_UNAVAILABLE',
  'E_INTERNAL',
  'host-not-allowed',
  'origin-not-allowed',
];
/** Every rate limiter: one per request, sign-in throttling, registrations, bad messages. */
const LIMITERS = [...Object.keys(clientRequests), 'login', 'register', 'bad-messages'];

/**
 * Upper bounds of the database latency buckets, in seconds: a SQLite statement on a warm cache takes
 * microseconds; a locked database makes one wait up to its 5 s `busy_timeout`.
 */
const DB_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1, 5];

export class Metrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly handshakeFailures = new Counter({
    name: 'parley_handshake_failures_total',
    help: 'Socket.IO connections refused before they opened, by reason: the error code the client got, or host-not-allowed / origin-not-allowed',
    labelNames: ['reason'] as const,
    registers: this.registers,
  });

  readonly rateLimited = new Counter({
    name: 'parley_rate_limited_total',
    help: 'Requests refused by a rate limit, by limiter: the request name, login or register; bad-messages: connections closed for sending too many invalid messages',
    labelNames: ['limiter'] as const,
    registers: this.registers,
  });

  readonly callInvites = new Counter({
    name: 'parley_call_invites_total',
    help: 'Call invites that rang the callee',
    registers: this.registers,
  });

  readonly callsAnswered = new Counter({
    name: 'parley_calls_answered_total',
    help: 'Calls answered',
    registers: this.registers,
  });

  readonly callsEnded = new Counter({
    name: 'parley_calls_ended_total',
    help: 'Calls ended, by the end reason history records (missed: nobody answered in time); busy, dnd and offline are invites refused without ringing',
    labelNames: ['reason'] as const,
    registers: this.registers,
  });

  readonly relayMessages = new Counter({
    name: 'parley_relay_messages_total',
    help: 'SDP descriptions and ICE candidates relayed between the devices of a call',
    registers: this.registers,
  });

  readonly pushes = new Counter({
    name: 'parley_pushes_total',
    help: 'Events the services pushed to devices, one per connection reached, by event (presence deliveries: presence.changed, and presence.batch carrying several)',
    labelNames: ['event'] as const,
    registers: this.registers,
  });

  readonly dbStatementSeconds = new Histogram({
    name: 'parley_db_statement_duration_seconds',
    help: 'Time SQLite statements took, by statement (verb and table); transaction: a whole transaction, waiting for the lock included',
    labelNames: ['statement'] as const,
    buckets: DB_BUCKETS,
    registers: this.registers,
  });

  readonly walPages = new Gauge({
    name: 'parley_sqlite_wal_pages',
    help: 'Pages (4 KiB) in the SQLite write-ahead log at the last checkpoint; it starts again from the beginning once checkpointed, so steady growth means checkpoints cannot keep up',
    registers: this.registers,
  });

  readonly walCatchUpHoldSeconds = new Histogram({
    name: 'parley_sqlite_wal_catch_up_hold_seconds',
    help: 'How long statements waited while the WAL checkpointer copied what a checkpoint under load had left behind',
    buckets: DB_BUCKETS,
    registers: this.registers,
  });

  constructor() {
    // The series alerts name exist from the start, at 0, rather than from their first event.
    for (const reason of CallEndReason.options) this.callsEnded.inc({ reason }, 0);
    for (const reason of HANDSHAKE_REFUSALS) this.handshakeFailures.inc({ reason }, 0);
    for (const limiter of LIMITERS) this.rateLimited.inc({ limiter }, 0);
  }

  /** The gauges, read from their owners at each scrape (call once, when those owners exist). */
  readGauges(sources: GaugeSources): void {
    new Gauge({
      name: 'parley_connected_devices',
      help: 'Devices connected now (Socket.IO connections past the handshake)',
      registers: this.registers,
      collect() {
        this.set(sources.connectedDevices());
      },
    });
    new Gauge({
      name: 'parley_live_calls',
      help: 'Calls in progress now, by state',
      labelNames: ['state'] as const,
      registers: this.registers,
      async collect() {
        for (const [state, count] of Object.entries(await sources.liveCalls())) this.set({ state }, count);
      },
    });
  }

  /**
   * Node's own metrics in this registry: CPU, memory, heap, GC, handles, and the event-loop lag
   * (`nodejs_eventloop_lag_*`, its percentiles over the time since the previous scrape). They keep
   * a sampler and a GC observer running, hence only with a metrics listener.
   */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }
}
