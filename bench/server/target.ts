/**
 * One target of the server benchmark, start to stop: the server in its own process, the load workers,
 * and the phases (connect, idle memory, reconnect, ring, presence, soak, shutdown), each measured as
 * phase.ts measures one.
 */
import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachContactPair } from '../../signaling/contact-ring.js';
import { matchPresence, summarize, type LatencySummary } from './figures.js';
import type { Account, ErrorCounts, ProbeReply, WorkerReport } from './messages.js';
import { joinPhases, measured, untilQuiet, type Phase } from './phase.js';
import { cpuStallMicros, monotonicMs } from './proc.js';
import { startServer, startWorker, type MeasuredServer, type Worker } from './processes.js';
import { measureRestart, type RestartResult } from './restart.js';
import { startScraper, type Scraper } from './scraper.js';
import { soak, type SoakSample } from './soak.js';

/** How long after the server's exit the workers may take to see every client's disconnect. */
const DISCONNECTS_WAIT_MS = 10_000;

export interface Settings {
  clients: number;
  contacts: number;
  workers: number;
  connectConcurrency: number;
  ringRate: number;
  ringSeconds: number;
  presenceRate: number;
  presenceSeconds: number;
  /** Soak: how long to hold the clients after the phases, with a trickle of calls and presence (0: none). */
  soakSeconds: number;
  /**
   * Heap snapshots of the server at rest, with half and with all the idle clients: `<prefix>-empty.heapsnapshot`,
   * `-half`, `-idle`; with a soak, also at its first sample and after its last: `-soak-first`, `-soak-last`.
   */
  heapSnapshots?: string;
  /** After the shutdown: the restart phase (restart.ts), Parley's clients back on `session.ready`, bare's on connect. */
  restart?: 'session.ready' | 'connect';
  /** Parley on SQLite: its write-ahead log, whose size the ring phase reports (it grew without end once). */
  walFile?: string;
}

/** After connecting, before the idle measurement: late presence announcements and timers settle. */
const SETTLE_MS = 2_000;
/**
 * After the last presence toggle, what is still on its way arrives (it counts if it does): the drain ends
 * once every contact has seen each account's last state and no receipt came for a poll interval, or
 * after this long at most. (A fixed 3 s drain cut off an overloaded server's late deliveries and
 * counted them as lost.)
 */
const PRESENCE_DRAIN_MAX_MS = 60_000;
const PRESENCE_DRAIN_POLL_MS = 250;

/** Every client connecting, until `session.ready`. */
type ConnectPhase = Phase & {
  connected: number;
  errors: ErrorCounts;
  latency: LatencySummary;
  serverCpuMsPerClient: number;
};

export interface TargetResult {
  memory: {
    empty: ProbeReply;
    /** With the first half of the clients connected. */
    half: ProbeReply;
    idle: ProbeReply;
    /** (idle - empty) / clients: with what the first connects leave behind once. */
    perClientRss: number;
    perClientHeap: number;
    /** (idle - half) / the second half's clients: what one more client costs. */
    marginalRss: number;
    marginalHeap: number;
  };
  connect: ConnectPhase;
  /**
   * Every client closed its connection and, once the server had handled that, connected again with the
   * same token and device id: what a returning device costs (an app started again, a network back).
   */
  reconnect: ConnectPhase;
  ring: Phase & {
    sent: number;
    skipped: number;
    timedOut: number;
    errors: ErrorCounts;
    achievedRate: number;
    latency: LatencySummary;
    serverCpuMsPerInvite: number;
    /** The size of Parley's SQLite WAL file at the phase's end (`Settings.walFile`). */
    walFileBytes?: number;
  };
  presence: Phase & {
    toggles: number;
    expected: number;
    /** Delivered by a later state of the account arriving instead (coalesced). */
    superseded: number;
    delivered: number;
    strays: number;
    deliveredFraction: number;
    deliveredRate: number;
    finalChecked: number;
    finalWrong: number;
    /** After the last change: until every contact had seen the last states (or the cap). */
    drainMs: number;
    errors: ErrorCounts;
    latency: LatencySummary;
    serverCpuMsPerDelivery: number;
  };
  /** Memory and event-loop delay through the soak (`--duration`). */
  soak: SoakSample[];
  shutdown: {
    ms: number;
    code: number | null;
    /** Parley's "stopped" log line: its own time, and connections told, disconnected and cut off. */
    stoppedLog?: Record<string, unknown>;
    disconnected: number;
    shutdownNotices: number;
  };
  problems: MeasuredServer['problems'];
  /** With `--restart`. */
  restart?: RestartResult;
  /** With `--metrics` (Parley): what the scrapes cost, and the counters beside what the workers counted. */
  metrics?: MetricsCheck;
  /** Share of the target's wall time in which some task on the machine waited for a CPU (%). */
  cpuStallPercent?: number;
}

export interface MetricsCheck {
  scrapeMs: LatencySummary;
  /** The largest scrape. */
  maxBytes: number;
  /** `parley_connected_devices` once every client had connected. */
  connectedDevices: number;
  /** `parley_call_invites_total` over the ring phase, and the invites acknowledged without an error. */
  invitesCounted: number;
  invitesAcknowledged: number;
  /** `parley_pushes_total{event="presence.changed"}` over the presence phase and its drain, and the receipts. */
  presencePushesCounted: number;
  presenceReceipts: number;
  /** The database's work over the ring phase per invite sent, by statement (the statement metrics). */
  databasePerInvite: StatementWork[];
}

/** One statement's share of a phase: how many ran and their time, per unit of the phase's work. */
export interface StatementWork {
  statement: string;
  count: number;
  micros: number;
}

const STATEMENT_SECONDS = 'parley_db_statement_duration_seconds';

/** The statements run between two scrapes, per `units` (largest time first); those that did not run are left out. */
function statementWork(
  before: Map<string, number>,
  after: Map<string, number>,
  units: number,
): StatementWork[] {
  const work: StatementWork[] = [];
  for (const [key, sum] of after) {
    const label = /^parley_db_statement_duration_seconds_sum\{statement="(.*)"\}$/.exec(key)?.[1];
    if (label === undefined) continue;
    const countKey = `${STATEMENT_SECONDS}_count{statement="${label}"}`;
    const count = after.get(countKey)! - (before.get(countKey) ?? 0);
    if (count > 0)
      work.push({
        statement: label,
        count: count / units,
        micros: ((sum - (before.get(key) ?? 0)) * 1e6) / units,
      });
  }
  return work.sort((a, b) => b.micros - a.micros);
}

const INVITES = 'parley_call_invites_total';
const PRESENCE_PUSHES = 'parley_pushes_total{event="presence.changed"}';
const series = async (scraper: Scraper | undefined, name: string) =>
  (await scraper?.read())?.get(name) ?? NaN;

/** Each account's last sent state (1 away, 0 online; -1 never toggled). */
function finalStatesOf(toggled: { sends: Float64Array }[], clients: number): Int8Array {
  const states = new Int8Array(clients).fill(-1);
  for (const { sends } of toggled)
    for (let i = 0; i < sends.length; i += 3) states[sends[i]!] = sends[i + 1]!;
  return states;
}

/** Waits until every contact saw the last states and receipts stopped coming; resolves with the ms waited. */
async function drainPresence(workers: Worker[], finalStates: Int8Array): Promise<number> {
  const started = monotonicMs();
  let receipts = -1;
  while (monotonicMs() - started < PRESENCE_DRAIN_MAX_MS) {
    const checks = await Promise.all(
      workers.map((w) => w.ask({ type: 'presence-check', finalStates }, 'presence-checked')),
    );
    const now = checks.reduce((n, c) => n + c.receipts, 0);
    if (checks.every((c) => c.finalWrong === 0) && now === receipts) break;
    receipts = now;
    await sleep(PRESENCE_DRAIN_POLL_MS);
  }
  return monotonicMs() - started;
}

function stallPercent(stall0: number | undefined, wall0: number): number | undefined {
  const stall1 = cpuStallMicros();
  if (stall0 === undefined || stall1 === undefined) return undefined;
  return ((stall1 - stall0) / 1000 / (monotonicMs() - wall0)) * 100;
}

type ConnectedReport = Extract<WorkerReport, { type: 'connected' }>;

/** How many clients the workers' reports say connected. */
const connectedIn = (reports: ConnectedReport[]): number => reports.reduce((n, c) => n + c.connected, 0);

/** A connect phase's figures from its workers' reports. */
function connectFigures(phase: Phase, reports: ConnectedReport[]): ConnectPhase {
  const connected = connectedIn(reports);
  return {
    ...phase,
    connected,
    errors: mergeCounts(reports.map((c) => c.errors)),
    latency: summarize(concat(reports.map((c) => c.latencies))),
    serverCpuMsPerClient: phase.serverCpuMs / connected,
  };
}

const concat = (arrays: Float64Array[]) => Float64Array.from(arrays.flatMap((a) => [...a]));
const mergeCounts = (counts: ErrorCounts[]) => {
  const merged: ErrorCounts = {};
  for (const c of counts) for (const [k, n] of Object.entries(c)) merged[k] = (merged[k] ?? 0) + n;
  return merged;
};

/** `serverArgsOn(port)`: the server's arguments to listen on that port (0: any free one). */
export async function runTarget(
  serverArgsOn: (port: number) => string[],
  nodeOptions: string[],
  run: Settings & { prefix: string; accounts: Account[] },
  say: (line: string) => void,
): Promise<TargetResult> {
  const [stall0, wall0] = [cpuStallMicros(), monotonicMs()];
  const server = await startServer(serverArgsOn(0), nodeOptions);
  const scraper = server.metricsUrl === undefined ? undefined : startScraper(server.metricsUrl);
  const share = run.clients / run.workers;
  const workers = await Promise.all(
    Array.from({ length: run.workers }, (_, w) =>
      startWorker({
        url: server.url,
        prefix: run.prefix,
        count: run.clients,
        contacts: run.contacts,
        accounts: run.accounts.slice(w * share, (w + 1) * share),
      }),
    ),
  );
  await sleep(SETTLE_MS); // the workers' start-up (tsx compiling) is over, the server has been idle
  const snapshot = (name: string) => run.heapSnapshots && `${run.heapSnapshots}-${name}.heapsnapshot`;
  const empty = await server.stats(true, snapshot('empty'));
  say(`server ${server.url} (pid ${server.pid}); connecting...`);

  // In two halves, with the memory measured between them: what the second half adds is what a client
  // costs, without what the first connects also leave behind once (compiled code, grown tables).
  const connectUpTo = (upTo: number) =>
    measured(server, workers, () =>
      Promise.all(
        workers.map((w) =>
          w.ask({ type: 'connect', concurrency: run.connectConcurrency, upTo }, 'connected'),
        ),
      ),
    );
  const [firstHalf, firstPhase] = await connectUpTo(share / 2);
  await sleep(SETTLE_MS);
  const half = await server.stats(true, snapshot('half'));
  const [secondHalf, secondPhase] = await connectUpTo(share);
  const connect = connectFigures(joinPhases(firstPhase, secondPhase), [...firstHalf, ...secondHalf]);
  const secondHalfCount = connectedIn(secondHalf);
  say(
    `${connect.connected} connected in ${(connect.wallMs / 1000).toFixed(1)} s; errors ${JSON.stringify(connect.errors)}`,
  );
  await sleep(SETTLE_MS);
  const idle = await server.stats(true, snapshot('idle'));
  const connectedDevices = await series(scraper, 'parley_connected_devices');

  say('every client disconnects, then connects again...');
  await Promise.all(workers.map((w) => w.ask({ type: 'disconnect-all' }, 'disconnected-all')));
  await untilQuiet(server.pid);
  const [reconnected, reconnectPhase] = await connectUpTo(share);
  const reconnect = connectFigures(reconnectPhase, reconnected);
  say(
    `${reconnect.connected} connected again in ${(reconnect.wallMs / 1000).toFixed(1)} s; errors ${JSON.stringify(reconnect.errors)}`,
  );
  await sleep(SETTLE_MS);

  const beforeRing = await scraper?.read();
  const invitesBefore = beforeRing?.get(INVITES) ?? NaN;

  say(`ringing at ${run.ringRate}/s for ${run.ringSeconds} s...`);
  const [rung, ringPhase] = await measured(server, workers, () =>
    Promise.all(
      workers.map((w) =>
        w.ask({ type: 'ring', rate: run.ringRate / run.workers, seconds: run.ringSeconds }, 'ring-done'),
      ),
    ),
  );
  const ringSent = rung.reduce((n, r) => n + r.sent, 0);
  const walFileBytes =
    run.walFile === undefined ? undefined : existsSync(run.walFile) ? statSync(run.walFile).size : 0;
  const ringErrors = mergeCounts(rung.map((r) => r.errors));
  const afterRing = await scraper?.read();
  const invitesCounted = (afterRing?.get(INVITES) ?? NaN) - invitesBefore;
  const databasePerInvite =
    beforeRing && afterRing && ringSent > 0 ? statementWork(beforeRing, afterRing, ringSent) : [];
  const pushesBefore = await series(scraper, PRESENCE_PUSHES);

  const toggleRate = run.presenceRate / run.contacts;
  say(
    `presence at ${run.presenceRate} deliveries/s (${toggleRate.toFixed(0)} changes/s) for ${run.presenceSeconds} s...`,
  );
  let drainMs = 0;
  const [toggled, presencePhase] = await measured(
    server,
    workers,
    () =>
      Promise.all(
        workers.map((w) =>
          w.ask(
            { type: 'presence', rate: toggleRate / run.workers, seconds: run.presenceSeconds },
            'presence-sent',
          ),
        ),
      ),
    async (sent) => (drainMs = await drainPresence(workers, finalStatesOf(sent, run.clients))),
  );
  const presencePushesCounted = (await series(scraper, PRESENCE_PUSHES)) - pushesBefore;
  const finalStates = finalStatesOf(toggled, run.clients);
  const received = await Promise.all(
    workers.map((w) => w.ask({ type: 'presence-collect', finalStates }, 'presence-received')),
  );
  const contacts: number[][] = Array.from({ length: run.clients }, () => []);
  forEachContactPair(run.clients, run.contacts, (a, b) => (contacts[a]!.push(b), contacts[b]!.push(a)));
  const match = matchPresence(
    toggled.map((t) => t.sends),
    received.map((r) => r.receipts),
    (index) => contacts[index]!,
  );
  const toggles = toggled.reduce((n, t) => n + t.sends.length / 3, 0);

  const soaked = run.soakSeconds > 0 ? await soak(server, workers, run, snapshot, say) : [];

  const scrapes = scraper?.stop();
  say('stopping the server (SIGTERM)...');
  const stopped = await server.stop();
  // The workers see the disconnects as fast as they get a CPU (thousands of closes at once): ask until
  // every client has seen its own, for at most DISCONNECTS_WAIT_MS.
  const countDisconnects = () =>
    Promise.all(workers.map((w) => w.ask({ type: 'count-disconnects' }, 'disconnects')));
  const waitedFrom = monotonicMs();
  let disconnects = await countDisconnects();
  while (
    disconnects.reduce((n, d) => n + d.disconnected, 0) < reconnect.connected &&
    monotonicMs() - waitedFrom < DISCONNECTS_WAIT_MS
  ) {
    await sleep(100);
    disconnects = await countDisconnects();
  }
  // On the same port (and data directory) as a deploy restarts it.
  const port = Number(new URL(server.url).port);
  const restart = run.restart
    ? await measureRestart(
        () => startServer(serverArgsOn(port), nodeOptions),
        workers,
        { clients: run.clients, connectConcurrency: run.connectConcurrency, backOn: run.restart },
        say,
      )
    : undefined;
  await Promise.all(workers.map((w) => w.exit()));

  const ringLatencies = concat(rung.map((r) => r.latencies));
  return {
    memory: {
      empty,
      half,
      idle,
      perClientRss: (idle.rss - empty.rss) / connect.connected,
      perClientHeap: (idle.heapUsed - empty.heapUsed) / connect.connected,
      marginalRss: (idle.rss - half.rss) / secondHalfCount,
      marginalHeap: (idle.heapUsed - half.heapUsed) / secondHalfCount,
    },
    connect,
    reconnect,
    ring: {
      ...ringPhase,
      generatorLoopDelayP99Ms: Math.max(...rung.map((r) => r.loopDelayP99Ms)),
      sent: ringSent,
      skipped: rung.reduce((n, r) => n + r.skipped, 0),
      timedOut: rung.reduce((n, r) => n + r.timedOut, 0),
      errors: ringErrors,
      achievedRate: ringLatencies.length / run.ringSeconds,
      latency: summarize(ringLatencies),
      serverCpuMsPerInvite: ringPhase.serverCpuMs / ringSent,
      walFileBytes,
    },
    presence: {
      ...presencePhase,
      generatorLoopDelayP99Ms: Math.max(...received.map((r) => r.loopDelayP99Ms)),
      toggles,
      expected: match.expected,
      delivered: match.latencies.length,
      superseded: match.superseded,
      strays: match.strays,
      deliveredFraction: match.latencies.length / match.expected,
      deliveredRate: match.latencies.length / run.presenceSeconds,
      finalChecked: received.reduce((n, r) => n + r.finalChecked, 0),
      finalWrong: received.reduce((n, r) => n + r.finalWrong, 0),
      drainMs,
      errors: mergeCounts(toggled.map((t) => t.errors)),
      latency: summarize(match.latencies),
      serverCpuMsPerDelivery: presencePhase.serverCpuMs / match.latencies.length,
    },
    soak: soaked,
    shutdown: {
      ...stopped,
      disconnected: disconnects.reduce((n, d) => n + d.disconnected, 0),
      shutdownNotices: disconnects.reduce((n, d) => n + d.shutdownNotices, 0),
    },
    problems: server.problems,
    restart,
    metrics: scrapes && {
      scrapeMs: summarize(scrapes.durationsMs),
      maxBytes: Math.max(...scrapes.bytes),
      connectedDevices,
      invitesCounted,
      invitesAcknowledged: Object.entries(ringErrors).reduce(
        (n, [code, times]) => (code.startsWith('cancel:') ? n : n - times),
        ringSent,
      ),
      presencePushesCounted,
      presenceReceipts: received.reduce((n, r) => n + r.receipts.length / 4, 0),
      databasePerInvite,
    },
    cpuStallPercent: stallPercent(stall0, wall0),
  };
}
