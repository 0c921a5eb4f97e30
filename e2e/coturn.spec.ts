// coturn dies with the process that started it: a test runner stopped by SIGTERM before its handler could
// stop coturn (or killed outright) must not leave a TURN server running on the machine, and the folder it
// leaves is removed by the next start. No browser here.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { sweepLeftoverFolders } from './support/coturn.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** A process that starts coturn, says where, and then only waits: no handler of its own stops coturn. */
const STARTER = `
  const { startCoturn } = await import('./e2e/support/coturn.ts');
  const coturn = await startCoturn();
  console.log(JSON.stringify({ pid: coturn.pid, port: coturn.port }));
  setInterval(() => {}, 1000);
`;

/** Whether a process is running (a zombie nobody reaped has ended: PID 1 here does not reap). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`coturn stops when the process that started it gets ${signal}`, async () => {
    test.skip(process.platform !== 'linux', 'the parent-death signal is Linux only');
    const starter = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', STARTER], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
      let out = '';
      starter.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out) as { pid: number; port: number });
      });
      starter.once('exit', (code) => reject(new Error(`the starter exited (${code}) before coturn ran`)));
    });
    const foldersOfStarter = () =>
      readdirSync(tmpdir()).filter((f) => f.startsWith(`parley-coturn-${starter.pid}-`));
    try {
      expect(running(started.pid)).toBe(true);
      expect(await accepts(started.port)).toBe(true);
      sweepLeftoverFolders();
      expect(foldersOfStarter(), 'a running coturn keeps its folder').toHaveLength(1);

      starter.kill(signal);
      // Its threads end after the main one shows as ended: the port is the last to go.
      const stopped = async () => !running(started.pid) && !(await accepts(started.port));
      await expect.poll(stopped, { message: 'turnserver still running' }).toBe(true);
      if (starter.exitCode === null && starter.signalCode === null) await once(starter, 'exit'); // and reaped
      expect(foldersOfStarter(), 'nobody stopped coturn, so its folder is left').toHaveLength(1);
      sweepLeftoverFolders(); // as the next start does
      expect(foldersOfStarter()).toEqual([]);
    } finally {
      starter.kill('SIGKILL');
      if (running(started.pid)) process.kill(started.pid, 'SIGKILL'); // a failed run leaves nothing behind
    }
  });
}
