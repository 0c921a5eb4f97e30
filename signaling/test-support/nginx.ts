/**
 * Debian's nginx for tests, in front of test nodes: runs deploy/nginx/parley.conf as shipped, with only
 * the node addresses, the listen line (plain HTTP on a free loopback port) and the certificate lines
 * replaced, under a main config of its own (pid, logs and temporary files in a temporary folder). Tests
 * that need it skip, saying why, where nginx is missing (`apt-get install nginx-light`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const NGINX = '/usr/sbin/nginx';
const SITE = join(dirname(fileURLToPath(import.meta.url)), '../../deploy/nginx/parley.conf');

export interface TestNginx {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** What it logged at warn level and above so far (error.log), one line each. */
  errors(): Promise<string[]>;
  /** Stops it (SIGQUIT, then SIGKILL if it lingers) and removes its folder. */
  stop(): Promise<void>;
}

/** Why nginx tests cannot run here, or null when they can. */
export function nginxUnavailable(): string | null {
  const found = spawnSync(NGINX, ['-v'], { stdio: 'ignore' });
  return found.error || found.status !== 0 ? `${NGINX} is not installed (apt-get install nginx-light)` : null;
}

/**
 * The shipped site file for these nodes on this port. Throws when a line it replaces is not there any
 * more, so the test never runs a config other than the shipped one without saying so.
 */
export function siteFor(shipped: string, nodes: readonly string[], port: number): string {
  const replaced = (text: string, pattern: RegExp, by: string): string => {
    if (!pattern.test(text)) throw new Error(`deploy/nginx/parley.conf has no line matching ${pattern}`);
    return text.replace(pattern, by);
  };
  const serverLine = /^( *)server \S+:\d+( [^;]*)?;\n/m;
  const [, indent, params = ''] = serverLine.exec(shipped) ?? [];
  let site = replaced(
    shipped,
    new RegExp(`(${serverLine.source})+`, 'm'),
    nodes.map((node) => `${indent}server ${node}${params};\n`).join(''),
  );
  site = replaced(
    site,
    /^( *)listen 443 ssl[^;]*;\n\s*listen \[::\]:443 ssl[^;]*;\n/m,
    `$1listen 127.0.0.1:${port};\n`,
  );
  return replaced(site, /^ *ssl_certificate .*\n *ssl_certificate_key .*\n/m, '');
}

/**
 * Starts nginx on a free loopback port in front of `nodes` (`host:port` each). `connections`: how many
 * connections it may hold at once; each client takes two (its own and the one to its node).
 */
export async function startNginx(nodes: readonly string[], connections = 10_000): Promise<TestNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-nginx-'));
  const shipped = await readFile(SITE, 'utf8');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'parley.conf'), siteFor(shipped, nodes, port));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`)
      .join('\n');
    await writeFile(
      join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'error.log')} warn;`,
        `worker_rlimit_nofile ${connections + 100};`,
        `events { worker_connections ${connections}; }`,
        'http {',
        `  access_log ${join(dir, 'access.log')};`,
        temp,
        `  include ${join(dir, 'parley.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const nginx = spawn(
      NGINX,
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let said = '';
    nginx.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const exited = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
    const up = await listening(port, () => nginx.exitCode !== null || nginx.signalCode !== null);
    if (up) {
      return {
        url: `http://127.0.0.1:${port}`,
        errors: async () =>
          (await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
        stop: async () => {
          if (nginx.exitCode === null && nginx.signalCode === null) {
            nginx.kill('SIGQUIT');
            const lingering = setTimeout(() => nginx.kill('SIGKILL'), 3_000);
            await exited;
            clearTimeout(lingering);
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    if (attempt === 3 || !/Address already in use/.test(said + log)) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${(said + log).trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
}

/** True once something accepts connections on the port (nginx writes no "ready" line); false if it exits. */
async function listening(port: number, gone: () => boolean): Promise<boolean> {
  while (!gone()) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
