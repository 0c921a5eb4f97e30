/**
 * What the kernel says about a process, read from /proc (Linux only): CPU time used so far and resident
 * memory. The benchmark reads the server's and the load workers' figures from outside, so that
 * measuring costs the measured process nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU times (100 on every Linux seen so far). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU time the process has used, in milliseconds (resolution: one clock tick). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name (0-based: 11, 12).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** The open-file hard limit this process (and the children it starts) may raise itself to. */
export function openFileHardLimit(): number {
  const match = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === undefined || match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

/** The system-wide monotonic clock in ms, the same in every process on the machine (CLOCK_MONOTONIC). */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * Microseconds, since boot, during which some runnable task waited for a CPU (/proc/pressure/cpu, "some
 * total"); undefined where the kernel has no pressure stall information. Its growth over a stretch of
 * wall time says how busy the machine was: near 100% of the time, figures measure the queue for the CPU.
 */
export function cpuStallMicros(): number | undefined {
  try {
    const match = /^some .*total=(\d+)$/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connections the kernel dropped since boot because a listen queue was full (TcpExt ListenOverflows of
 * /proc/net/netstat, the whole machine): a dropped SYN is sent again after 1 s, 3 s, 7 s, ...
 */
export function listenOverflows(): number {
  const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('TcpExt:'))
    .map((line) => line.split(' '));
  const at = names?.indexOf('ListenOverflows') ?? -1;
  return at < 0 ? NaN : Number(values?.[at]);
}
