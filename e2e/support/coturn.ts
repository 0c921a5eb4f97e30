/**
 * coturn for the end-to-end suites: a TURN server in the foreground on a free
 * port of 127.0.0.1 (or of another local address, for the network suite),
 * with a random shared secret (TURN REST credentials, as the signaling server
 * hands them out), optionally TURN over TLS with a given certificate, stopped
 * and cleaned up by `stop()`. It dies with the process that started it, also
 * when that one is killed before it could stop it; the folder such a run
 * leaves behind is removed by the next start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Coturn {
  /** turnserver's process id. */
  pid: number;
  port: number;
  /** The TURN-over-TLS port, when started with a certificate. */
  tlsPort: number | null;
  secret: string;
  /** `turn:` URLs for UDP and TCP (and `turns:` for TLS), as the signaling server should advertise them. */
  urls: string[];
  stop(): Promise<void>;
  /** Stops it at once, synchronously: for a signal handler, which cannot wait. */
  kill(): void;
}

export interface CoturnOptions {
  /** The address to listen and relay on: 127.0.0.1 unless given. */
  host?: string;
  /** PEM files of a certificate and its key: adds a TURN-over-TLS listener. */
  tls?: { cert: string; key: string };
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * The command line that runs turnserver so that it dies with this process, whatever ends it (a SIGTERM
 * before any handler could stop it, SIGKILL, a crash): util-linux's setpriv sets the parent-death signal
 * and then becomes turnserver. Where there is no setpriv (not Linux), stop() and kill() are all there is.
 */
function boundToThisProcess(args: string[]): [string, string[]] {
  const setpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setpriv ? ['setpriv', ['--pdeathsig', 'KILL', 'turnserver', ...args]] : ['turnserver', args];
}

/** Folders are named after the process that started coturn, so the next start can tell whose run ended. */
const FOLDER_PREFIX = 'parley-coturn-';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the folders of coturns whose starter has gone (killed before it could stop them: coturn died with
 * it, its folder did not). A reused process id only postpones the removal to a later start.
 */
export function sweepLeftoverFolders(): void {
  for (const entry of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${FOLDER_PREFIX}(\\d+)-`).exec(entry)?.[1];
    if (owner && !processAlive(Number(owner)))
      rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** setpriv's exit code when it could not find the command to become. */
const COMMAND_NOT_FOUND = 127;

/** A port that is free for both TCP and UDP on `host` right now. */
async function freePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, host, () => socket.close(() => resolve(true)));
    });
    if (port && udpFree) return port;
  }
  throw new Error(`coturn: found no free port on ${host}`);
}

/** One STUN Binding request over UDP; resolves true when a Binding success response comes back. */
function stunBinding(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const transaction = randomBytes(12);
    const request = Buffer.concat([
      Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]),
      transaction,
    ]);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(transaction))
        done(true);
    });
    socket.send(request, port, host);
  });
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startCoturn({ host = '127.0.0.1', tls }: CoturnOptions = {}): Promise<Coturn> {
  const port = await freePort(host);
  let tlsPort = tls ? await freePort(host) : null;
  while (tlsPort === port) tlsPort = await freePort(host);
  const secret = randomBytes(24).toString('base64url');
  sweepLeftoverFolders();
  const dir = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  // A small relay range at a random place, so two runs on one machine rarely meet.
  const minPort = randomInt(50_000, 64_000);
  const args = [
    '-n',
    `--listening-ip=${host}`,
    `--relay-ip=${host}`,
    `--listening-port=${port}`,
    ...(tls && tlsPort ? [`--tls-listening-port=${tlsPort}`, `--cert=${tls.cert}`, `--pkey=${tls.key}`] : []),
    `--min-port=${minPort}`,
    `--max-port=${minPort + 199}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=parley.test',
    // Loopback peers are for tests only: production configs must deny loopback and private peers.
    ...(host.startsWith('127.') ? ['--allow-loopback-peers'] : []),
    '--no-cli',
    ...(tls ? [] : ['--no-tls']),
    '--no-dtls',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--db=${join(dir, 'turndb')}`,
  ];
  const child = spawn(...boundToThisProcess(args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, STOP_TIMEOUT_MS);
      });
      await Promise.race([exited(child), killed]);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when it answers a STUN Binding over UDP and accepts TCP: bounded polling, no fixed sleep.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      const why =
        spawnError || child.exitCode === COMMAND_NOT_FOUND
          ? `could not start turnserver (${spawnError?.message ?? 'not found'}); install coturn: apt-get install -y coturn`
          : `turnserver exited (${child.exitCode ?? child.signalCode})`;
      throw new Error(`coturn: ${why}\n${output}`);
    }
    if (
      (await stunBinding(host, port, 200)) &&
      (await tcpAccepts(host, port)) &&
      (tlsPort === null || (await tcpAccepts(host, tlsPort)))
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`coturn: not answering on ${host}:${port} after ${READY_TIMEOUT_MS} ms\n${output}`);
    }
  }

  return {
    pid: child.pid!,
    port,
    tlsPort,
    secret,
    urls: [
      `turn:${host}:${port}?transport=udp`,
      `turn:${host}:${port}?transport=tcp`,
      ...(tlsPort ? [`turns:${host}:${tlsPort}?transport=tcp`] : []),
    ],
    stop,
    kill() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
