/**
 * `npm run bench:server` (see bench/README.md): how much one signaling server carries, against a bare
 * Socket.IO server with Parley's engine options, in the same run, on loopback. Seeds accounts with
 * mutual contacts through the admin CLI (`users seed`), then for each target (Parley's CLI, the bare
 * server) in its own process: memory at rest, N clients connected from load workers in their own
 * processes (CPU per connection), memory per idle client after GC, ring latency at an invite rate,
 * presence fan-out latency and delivered fraction at a delivery rate, and the time a graceful stop
 * takes; with `--restart`, a restart with every client connected (restart.ts). Prints a table (Parley,
 * bare, ratio) and writes everything to bench-results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseFiles } from '../../signaling/db/sqlite.js';
import { serverNodeFlags } from '../../signaling/test-support/server-command.js';
import { heapTrendKibPerMinute, percentile, table, type Row } from './figures.js';
import type { Account } from './messages.js';
import { openFileHardLimit } from './proc.js';
import { ROOT } from './processes.js';
import { seedAccounts } from './seed-accounts.js';
import { runTarget, type Settings, type TargetResult } from './target.js';

const PREFIX = 'bench';
/** Where --cpu-prof writes the servers' profiles (open them in Chrome DevTools or speedscope). */
const PROFILES = 'bench-results/profiles';
/** Where --heap-snapshots writes the servers' heap snapshots (compare them with heap-diff.ts). */
const SNAPSHOTS = 'bench-results/heap';
const PASSWORD = 'bench password, shared by every seeded account';

/** Each flag, its environment variable and default. */
const FLAGS = {
  clients: ['PARLEY_BENCH_CLIENTS', '1000', 'connected clients (even)'],
  contacts: ['PARLEY_BENCH_CONTACTS', '50', 'mutual contacts per account (even, below clients)'],
  workers: ['PARLEY_BENCH_WORKERS', '2', 'load-generator processes'],
  'connect-concurrency': ['PARLEY_BENCH_CONNECT_CONCURRENCY', '50', 'handshakes in flight per worker'],
  'ring-rate': ['PARLEY_BENCH_RING_RATE', '200', 'call invites per second'],
  'ring-seconds': ['PARLEY_BENCH_RING_SECONDS', '10', 'length of the ring phase'],
  'presence-rate': ['PARLEY_BENCH_PRESENCE_RATE', '30000', 'presence deliveries per second offered'],
  'presence-seconds': ['PARLEY_BENCH_PRESENCE_SECONDS', '10', 'length of the presence phase'],
  targets: ['PARLEY_BENCH_TARGETS', 'parley,bare', 'which servers, in this order'],
  rounds: [
    'PARLEY_BENCH_ROUNDS',
    '1',
    'passes over the targets, the order reversed each time; the table shows medians',
  ],
  duration: [
    'PARLEY_BENCH_DURATION',
    '0',
    'soak: after the phases, hold the clients this long (300, 300s, 5m) with a trickle of calls and presence',
  ],
  'timeout-seconds': [
    'PARLEY_BENCH_TIMEOUT_SECONDS',
    '900',
    'the whole run is stopped after this (plus twice --duration per target and round)',
  ],
  'database-url': ['PARLEY_BENCH_DATABASE_URL', '', 'a postgres:// URL (an empty database): Parley on it'],
  'parley-node-flags': [
    'PARLEY_BENCH_PARLEY_NODE_FLAGS',
    '',
    "Node flags for Parley's server, after npm run server's own, space-separated (--parley-node-flags=--single-threaded-gc)",
  ],
  'bare-node-flags': [
    'PARLEY_BENCH_BARE_NODE_FLAGS',
    '',
    'Node flags for the bare server, space-separated (--bare-node-flags=--v8-pool-size=0)',
  ],
} as const;
type Flag = keyof typeof FLAGS;

function usage(): string {
  const lines = Object.entries(FLAGS).map(
    ([flag, [env, dflt, what]]) => `  --${flag.padEnd(20)} ${env.padEnd(34)} ${dflt.padEnd(12)} ${what}`,
  );
  return (
    `usage: npm run bench:server [-- --flag value ... --cpu-prof --heap-snapshots --metrics --bare-protocol --restart]\n` +
    `  flag                   environment variable               default      meaning\n${lines.join('\n')}\n` +
    `  --cpu-prof             (no variable)                                   profile both servers (node --cpu-prof) into ${PROFILES}/\n` +
    `  --heap-snapshots       (no variable)                                   heap snapshots of both servers at rest, with half and with all the idle clients, into ${SNAPSHOTS}/\n` +
    `  --metrics              (no variable)                                   Parley with its metrics listener on, scraped once a second\n` +
    `  --bare-protocol        (no variable)                                   bare also sends every other frame of Parley's protocol (a full session.ready, connects announced, call.ringing, history pushes)\n` +
    `  --restart              (no variable)                                   after the shutdown, a restart storm: the clients connected with Parley's client, SIGTERM, the server started again`
  );
}

function readSettings(): Settings & {
  targets: string[];
  timeoutSeconds: number;
  rounds: number;
  cpuProf: boolean;
  takeHeapSnapshots: boolean;
  metrics: boolean;
  bareProtocol: boolean;
  withRestart: boolean;
  databaseArgs: string[];
  parleyNodeFlags: string[];
  bareNodeFlags: string[];
} {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    'heap-snapshots': { type: 'boolean' },
    metrics: { type: 'boolean' },
    'bare-protocol': { type: 'boolean' },
    restart: { type: 'boolean' },
  };
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: 'string' };
  const values = parseArgs({ options, strict: true }).values as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  const raw = (flag: Flag) =>
    (values[flag] as string | undefined) ?? process.env[FLAGS[flag][0]] ?? FLAGS[flag][1];
  /** Says what `flag` takes, with the usage, and exits 2. */
  const refuse = (flag: Flag, takes: string): never => {
    console.error(`error: --${flag} (${FLAGS[flag][0]}): ${takes}\n\n${usage()}`);
    process.exit(2);
  };
  const number = (flag: Flag, min: number) => {
    const n = Number(raw(flag));
    return Number.isFinite(n) && n >= min ? n : refuse(flag, `a number ≥ ${min}`);
  };
  /** A length: seconds, or a number followed by s or m. */
  const seconds = (flag: Flag) => {
    const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(raw(flag));
    return match
      ? Number(match[1]) * (match[2] === 'm' ? 60 : 1)
      : refuse(flag, 'seconds, or a number followed by s or m');
  };
  /** Node flags, space-separated. */
  const nodeFlags = (flag: Flag) => {
    const flags = raw(flag).split(' ').filter(Boolean);
    return flags.every((f) => f.startsWith('--')) ? flags : refuse(flag, 'flags, each starting with --');
  };
  const settings = {
    clients: number('clients', 2),
    contacts: number('contacts', 2),
    workers: number('workers', 1),
    connectConcurrency: number('connect-concurrency', 1),
    ringRate: number('ring-rate', 0),
    ringSeconds: number('ring-seconds', 0),
    presenceRate: number('presence-rate', 0),
    presenceSeconds: number('presence-seconds', 0),
    targets: raw('targets').split(','),
    soakSeconds: seconds('duration'),
    timeoutSeconds: number('timeout-seconds', 10),
    rounds: number('rounds', 1),
    cpuProf: values['cpu-prof'] === true,
    takeHeapSnapshots: values['heap-snapshots'] === true,
    metrics: values.metrics === true,
    bareProtocol: values['bare-protocol'] === true,
    withRestart: values.restart === true,
    // For the seed and the server (which get no PARLEY_* variables): none, SQLite in the temporary folder.
    databaseArgs: raw('database-url') ? ['--database-url', raw('database-url')] : [],
    parleyNodeFlags: nodeFlags('parley-node-flags'),
    bareNodeFlags: nodeFlags('bare-node-flags'),
  };
  const { clients, contacts, workers, ringRate, presenceRate } = settings;
  const problems = [
    (clients % 2 !== 0 || clients % workers !== 0 || (clients / workers) % 2 !== 0) &&
      '--clients: an even number that splits into an even number per worker (ring pairs stay in one worker)',
    (contacts % 2 !== 0 || contacts >= clients) && '--contacts: an even number below --clients',
    // One socket per client in the server and one in a worker, plus the server's own files.
    clients + 100 > openFileHardLimit() &&
      `--clients: the open-file hard limit here is ${openFileHardLimit()}`,
    // Parley allows 60 cancels (and presence updates) per user per minute; the invite limit is raised below.
    (60 * ringRate) / clients > 50 &&
      '--ring-rate: more than 50 calls per account per minute (Parley refuses over 60)',
    (60 * presenceRate) / contacts / clients > 50 &&
      '--presence-rate: more than 50 presence changes per account per minute (Parley refuses over 60)',
    settings.targets.some((t) => t !== 'parley' && t !== 'bare') && '--targets: parley, bare or both',
  ].filter(Boolean);
  if (problems.length > 0) {
    console.error(`error: ${problems.join('\nerror: ')}\n\n${usage()}`);
    process.exit(2);
  }
  return settings;
}

const settings = readSettings();

// Parley is measured as it is run: with `npm run server`'s Node flags.
const parleyNodeFlags = [...serverNodeFlags(), ...settings.parleyNodeFlags];

/**
 * Node options for a target's server: `npm run server`'s and --parley-node-flags for Parley,
 * --bare-node-flags for bare, and with --cpu-prof a profile into a folder per target and round (one
 * file per thread: the server's main thread is the big one; the other is tsx's loader).
 */
const serverNodeOptions = (target: string, round: number): string[] => [
  ...(target === 'parley' ? parleyNodeFlags : settings.bareNodeFlags),
  ...(settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(ROOT, PROFILES, `${target}-${round}`)] : []),
];

/** Where --heap-snapshots puts a target's snapshots of one round (the folder made on the way). */
const snapshotPrefix = (target: string, round: number): string => {
  mkdirSync(join(ROOT, SNAPSHOTS), { recursive: true });
  return join(ROOT, SNAPSHOTS, `${target}-${round}`);
};

const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
/** However the run ends early, its data (and the sessions file's live tokens) go with it. */
const abandon = (code: number) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
};
/** What --restart may add per target and round: a server start, a connect of every client, the restart. */
const RESTART_BUDGET_SECONDS = 300;
const timeoutSeconds =
  settings.timeoutSeconds +
  (2 * settings.soakSeconds + (settings.withRestart ? RESTART_BUDGET_SECONDS : 0)) *
    settings.rounds *
    settings.targets.length;
const timeout = setTimeout(() => {
  console.error(`stopped: the run took longer than ${timeoutSeconds} s`);
  abandon(1);
}, timeoutSeconds * 1000);
process.once('SIGINT', () => abandon(130));

const sessionsFile = join(dataDir, 'sessions.tsv');
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  kernel: release(),
  node: process.version,
  loadBefore: loadavg(),
};

try {
  console.log(`seeding ${settings.clients} accounts with ${settings.contacts} contacts each (users seed)...`);
  const seedStart = Date.now();
  const seeded = seedAccounts({
    dataDir,
    count: settings.clients,
    prefix: PREFIX,
    contacts: settings.contacts,
    password: PASSWORD,
    sessionsFile,
    extraArgs: settings.databaseArgs,
  });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const accounts: Account[] = seeded.map(({ username, token }) => ({
    index: Number(username.slice(PREFIX.length)),
    username,
    token,
  }));

  type Target = 'parley' | 'bare';
  const results: Record<Target, TargetResult[]> = { parley: [], bare: [] };
  // Reversing the order each round (P B, B P, ...) spreads load that comes and goes over both alike.
  const order = (settings.targets as Target[]).slice();
  for (let round = 1; round <= settings.rounds; round++, order.reverse())
    for (const target of order) {
      console.log(
        `\n${target}, round ${round}: ${settings.clients} clients from ${settings.workers} workers`,
      );
      const serverArgsOn = (port: number) =>
        target === 'parley'
          ? [
              'signaling/cli.ts',
              '--host',
              '127.0.0.1',
              '--port',
              String(port),
              '--data-dir',
              dataDir,
              // The invite limit is a setting; raised so the ring phase measures the work, not the refusal.
              '--invites-per-minute',
              '1000000',
              '--log-level',
              'info',
              ...(settings.metrics ? ['--metrics-listen', '127.0.0.1:0'] : []),
              ...settings.databaseArgs,
            ]
          : [
              'bench/server/bare-server.ts',
              sessionsFile,
              PREFIX,
              String(settings.clients),
              String(settings.contacts),
              String(port),
              ...(settings.bareProtocol ? ['protocol'] : []),
            ];
      results[target].push(
        await runTarget(
          serverArgsOn,
          serverNodeOptions(target, round),
          {
            ...settings,
            prefix: PREFIX,
            accounts,
            heapSnapshots: settings.takeHeapSnapshots ? snapshotPrefix(target, round) : undefined,
            // Bare has no session.ready to speak of (it is empty): its clients are back on their connect.
            restart: settings.withRestart ? (target === 'parley' ? 'session.ready' : 'connect') : undefined,
            walFile:
              target === 'parley' && settings.databaseArgs.length === 0
                ? databaseFiles(dataDir)[1]
                : undefined,
          },
          (line) => console.log(`  ${line}`),
        ),
      );
    }

  const { parley, bare } = results;
  /** The median over the rounds of one figure, or undefined when the target did not run. */
  const median = (runs: TargetResult[], pick: (r: TargetResult) => number | undefined) =>
    runs.length === 0
      ? undefined
      : percentile(
          runs.map((r) => pick(r) ?? NaN),
          50,
        );
  const kib = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 1024);
  const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 1024 / 1024);
  /** From Parley's "stopped" log line (bare logs none). */
  const openAtDeadline = (log: Record<string, unknown> | undefined) =>
    typeof log?.open === 'number' ? log.open : undefined;
  const both = (
    label: string,
    pick: (r: TargetResult) => number | undefined,
    digits = 1,
    noRatio = false,
  ): Row => ({
    label,
    parley: median(parley, pick),
    bare: median(bare, pick),
    digits,
    noRatio,
  });
  const rows: Row[] = [
    both('RSS at rest, no clients (MiB)', (r) => mib(r.memory.empty.rss)),
    both(`RSS with ${settings.clients} idle clients, after GC (MiB)`, (r) => mib(r.memory.idle.rss)),
    both('memory per idle client after GC: RSS (KiB)', (r) => kib(r.memory.perClientRss)),
    both('memory per idle client after GC: JS heap (KiB)', (r) => kib(r.memory.perClientHeap)),
    both('memory per client, second half only: RSS (KiB)', (r) => kib(r.memory.marginalRss)),
    both('memory per client, second half only: JS heap (KiB)', (r) => kib(r.memory.marginalHeap)),
    both('server CPU per connection (ms)', (r) => r.connect.serverCpuMsPerClient, 2),
    both('connect, handshake to ready: p50 (ms)', (r) => r.connect.latency.p50),
    both('connect, handshake to ready: p99 (ms)', (r) => r.connect.latency.p99),
    both('server CPU per reconnection, same device (ms)', (r) => r.reconnect.serverCpuMsPerClient, 2),
    both('reconnect, handshake to ready: p50 (ms)', (r) => r.reconnect.latency.p50),
    both('reconnect, handshake to ready: p99 (ms)', (r) => r.reconnect.latency.p99),
    // A phase of 0 seconds measured nothing: its rows would only say Infinity or NaN.
    ...(settings.ringSeconds > 0
      ? [
          both(`ring invites/s achieved (offered ${settings.ringRate})`, (r) => r.ring.achievedRate, 0, true),
          both('ring, invite to call.incoming: p50 (ms)', (r) => r.ring.latency.p50, 2),
          both('ring, invite to call.incoming: p99 (ms)', (r) => r.ring.latency.p99, 2),
          both('ring: server CPU per invite (ms)', (r) => r.ring.serverCpuMsPerInvite, 3),
          both('ring: server CPU (% of a core)', (r) => r.ring.serverCpuPercent, 0),
          both('ring: server event-loop delay p99 (ms)', (r) => r.ring.loopDelayMs.p99),
          both('ring: server GC pauses, all together (ms)', (r) => r.ring.gcPauses.totalMs, 0),
          both('ring: server GC pauses, longest (ms)', (r) => r.ring.gcPauses.maxMs),
          both("ring: SQLite WAL file at the phase's end (MiB)", (r) => mib(r.ring.walFileBytes), 1, true),
          both('load generator CPU, ring phase (% of a core)', (r) => r.ring.generatorCpuPercent, 0, true),
          both(
            'load generator event-loop delay p99, ring (ms)',
            (r) => r.ring.generatorLoopDelayP99Ms,
            1,
            true,
          ),
        ]
      : []),
    ...(settings.presenceSeconds > 0
      ? [
          both(
            `presence deliveries/s (offered ${settings.presenceRate})`,
            (r) => r.presence.deliveredRate,
            0,
            true,
          ),
          both('presence: delivered fraction (%)', (r) => r.presence.deliveredFraction * 100, 2, true),
          both('presence: delivered as a later state (coalesced)', (r) => r.presence.superseded, 0, true),
          both('presence: contacts with a wrong final state', (r) => r.presence.finalWrong, 0, true),
          both('presence: drain until every final state seen (ms)', (r) => r.presence.drainMs, 0, true),
          both('presence fan-out latency: p50 (ms)', (r) => r.presence.latency.p50),
          both('presence fan-out latency: p99 (ms)', (r) => r.presence.latency.p99),
          both('presence: server CPU per delivery (µs)', (r) => r.presence.serverCpuMsPerDelivery * 1000, 2),
          both('presence: server CPU (% of a core)', (r) => r.presence.serverCpuPercent, 0),
          both('presence: server event-loop delay p99 (ms)', (r) => r.presence.loopDelayMs.p99),
          both(
            'load generator CPU, presence phase (% of a core)',
            (r) => r.presence.generatorCpuPercent,
            0,
            true,
          ),
          both(
            'load generator event-loop delay p99, presence (ms)',
            (r) => r.presence.generatorLoopDelayP99Ms,
            1,
            true,
          ),
        ]
      : []),
    both('graceful shutdown (ms)', (r) => r.shutdown.ms, 0),
    both('shutdown: clients that saw server.shutdown', (r) => r.shutdown.shutdownNotices, 0, true),
    both('shutdown: connections open at the deadline', (r) => openAtDeadline(r.shutdown.stoppedLog), 0, true),
    both('machine: time some task waited for a CPU (%)', (r) => r.cpuStallPercent, 0, true),
    both('load generator CPU, connect phase (% of a core)', (r) => r.connect.generatorCpuPercent, 0, true),
    both(
      'load generator CPU, reconnect phase (% of a core)',
      (r) => r.reconnect.generatorCpuPercent,
      0,
      true,
    ),
  ];
  if (settings.soakSeconds > 0) {
    const first = (r: TargetResult) => r.soak[0];
    const last = (r: TargetResult) => r.soak.at(-1);
    rows.push(
      both('soak: JS heap after GC, first sample (MiB)', (r) => mib(first(r)?.heapUsed)),
      both('soak: JS heap after GC, last sample (MiB)', (r) => mib(last(r)?.heapUsed)),
      both('soak: JS heap trend (KiB per minute, least squares)', (r) => heapTrendKibPerMinute(r.soak)),
      both('soak: RSS, first sample (MiB)', (r) => mib(first(r)?.rss)),
      both('soak: RSS, last sample (MiB)', (r) => mib(last(r)?.rss)),
      both('soak: worst event-loop delay p99 of a sample (ms)', (r) =>
        Math.max(...r.soak.map((s) => s.loopDelayMs.p99)),
      ),
    );
  }
  if (settings.withRestart)
    rows.push(
      both('restart: SIGTERM to listening again (ms)', (r) => r.restart?.downMs, 0),
      both('restart: 50% back, session.ready / bare connect (ms)', (r) => r.restart?.back50Ms, 0),
      both('restart: 99% back, session.ready / bare connect (ms)', (r) => r.restart?.back99Ms, 0),
      both('restart: all back, session.ready / bare connect (ms)', (r) => r.restart?.backAllMs, 0),
      both('restart: clients not back', (r) => r.restart?.notBack, 0, true),
      both('restart: 50% with presence settled (ms)', (r) => r.restart?.settled50Ms, 0, true),
      both('restart: 99% with presence settled (ms)', (r) => r.restart?.settled99Ms, 0, true),
      both('restart: all with presence settled (ms)', (r) => r.restart?.settledAllMs, 0, true),
      both('restart: clients whose presence did not settle', (r) => r.restart?.notSettled, 0, true),
      both('restart: listen-queue overflows (machine)', (r) => r.restart?.listenOverflows, 0, true),
      both('restart: server CPU, listening to all back (% of a core)', (r) => r.restart?.serverCpuPercent, 0),
      both('restart: load generator CPU (% of a core)', (r) => r.restart?.generatorCpuPercent, 0, true),
    );
  if (settings.metrics)
    rows.push(
      both('metrics: scrape time p50 (ms)', (r) => r.metrics?.scrapeMs.p50, 1, true),
      both('metrics: scrape time max (ms)', (r) => r.metrics?.scrapeMs.max, 1, true),
      both('metrics: largest scrape (KiB)', (r) => kib(r.metrics?.maxBytes), 1, true),
    );
  const loadAfter = loadavg();
  console.log(
    `\n${settings.clients} clients, ${settings.contacts} contacts each, ${settings.workers} workers` +
      `${settings.bareProtocol ? ", bare sending Parley's protocol (--bare-protocol)" : ''}` +
      `; Node flags: Parley ${parleyNodeFlags.join(' ') || 'none'}, bare ${settings.bareNodeFlags.join(' ') || 'none'}; ` +
      `${machine.cores} × ${machine.cpu}, Node ${machine.node}; load average before ${machine.loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(1)).join(' ')}\n`,
  );
  console.log(table(rows));
  // Receipts are matched to the latest change to that state sent before they arrived: an account changes
  // again every `interval`, so a delivery later than that may be matched to a newer change.
  const interval = (settings.clients * settings.contacts) / settings.presenceRate;
  for (const [name, runs] of Object.entries(results)) {
    if (runs.some((r) => r.presence.latency.max / 1000 > interval))
      console.log(
        `\n!! ${name}: presence deliveries took longer than the ${interval.toFixed(1)} s between one account's changes; ` +
          'some may be matched to a newer change (fewer clients per rate, or a quieter machine)',
      );
  }
  for (const [round, r] of parley.entries()) {
    const m = r.metrics;
    if (m)
      console.log(
        `\n/metrics beside the workers' counts, round ${round + 1}: ` +
          `parley_connected_devices ${m.connectedDevices} (clients connected: ${r.connect.connected}); ` +
          `invites ${m.invitesCounted} (acknowledged: ${m.invitesAcknowledged}); ` +
          `presence.changed pushes ${m.presencePushesCounted} (received: ${m.presenceReceipts})`,
      );
    if (m && m.databasePerInvite.length > 0) {
      const statements = m.databasePerInvite.filter((w) => w.statement !== 'transaction');
      console.log(
        `\ndatabase per invite over the ring phase, round ${round + 1}: ` +
          `${statements.reduce((n, w) => n + w.count, 0).toFixed(2)} statements ` +
          `(how many, µs; a transaction's time, from asking to its commit, includes its statements'):\n` +
          m.databasePerInvite
            .map(
              (w) =>
                `  ${w.statement.padEnd(26)} ${w.count.toFixed(2).padStart(6)} ${w.micros.toFixed(1).padStart(7)}`,
            )
            .join('\n'),
      );
    }
  }
  for (const [name, runs] of Object.entries(results))
    for (const [round, { restart }] of runs.entries())
      if (restart)
        console.log(
          `\nrestart, ${name}, round ${round + 1}: clients back in each second since the SIGTERM: ${restart.backPerSecond.join(' ')}; ` +
            `drops and failed attempts: ${JSON.stringify(restart.happenings)}; connect errors: ${JSON.stringify(restart.connectErrors)}` +
            (restart.problems.count > 0
              ? `\n!! the restarted servers logged ${restart.problems.count} warnings or errors, first:\n${restart.problems.first.join('\n')}`
              : ''),
        );
  for (const [name, r] of Object.entries(results).flatMap(([n, runs]) => runs.map((r) => [n, r] as const))) {
    if (r.problems.count > 0)
      console.log(
        `\n!! ${name} logged ${r.problems.count} warnings or errors, first:\n${r.problems.first.join('\n')}`,
      );
  }

  const file = join(ROOT, 'bench-results', `server-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        settings: { ...settings, parleyNodeFlags },
        machine: { ...machine, loadAfter },
        seedSeconds,
        results,
        table: rows,
      },
      null,
      2,
    ),
  );
  console.log(`\nseeding took ${seedSeconds.toFixed(1)} s; every figure: ${relative(ROOT, file)}`);
} finally {
  clearTimeout(timeout);
  rmSync(dataDir, { recursive: true, force: true });
}
