import { readFileSync } from 'node:fs';

/** A child process's CPU time (all threads) and memory, read from /proc (Linux). */
export interface ProcSample {
  /** User and system CPU time, ms. */
  userMs: number;
  sysMs: number;
  /** Resident set size now and its high-water mark, MiB. */
  rssMiB: number;
  hwmMiB: number;
}

// note: USER_HZ is 100 on every Linux architecture Node runs on (sysconf(_SC_CLK_TCK)).
const TICK_MS = 10;

export function readProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // note: the comm field may hold spaces and parentheses; the fields after the last ')' are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return {
    userMs: utime * TICK_MS,
    sysMs: stime * TICK_MS,
    rssMiB: kib('VmRSS') / 1024,
    hwmMiB: kib('VmHWM') / 1024,
  };
}

/**
 * CPU time of the whole machine (all CPUs) from /proc/stat, ms: busy and total, and steal
 * (time a virtual machine's host gave its vCPUs to someone else; counted in busy).
 */
export function readSystemCpu(): { busyMs: number; totalMs: number; stealMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = t.reduce((a, b) => a + b, 0);
  const idle = t[3]! + t[4]!;
  return { busyMs: (total - idle) * TICK_MS, totalMs: total * TICK_MS, stealMs: t[7]! * TICK_MS };
}

/** What one phase cost the server process and the bench (client) process. */
export interface PhaseCost {
  wallMs: number;
  serverUserMs: number;
  serverSysMs: number;
  /** Server CPU as a share of one core over the phase, %. */
  serverCpuPct: number;
  serverRssEndMiB: number;
  /** Highest RSS seen by sampling every 100 ms during the phase. */
  serverRssPeakMiB: number;
  /** The bench process's own CPU over the phase (user + system), ms. */
  clientCpuMs: number;
  /**
   * CPU used by everything else on the machine over the phase, as a share of one core, %
   * (other processes compete with the server and client for the same cores).
   */
  otherCpuPct: number;
}

/** Runs `fn` while watching the server process `pid`; returns its result and the phase's cost. */
export async function measurePhase<T>(
  pid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; cost: PhaseCost }> {
  const before = readProc(pid);
  let peak = before.rssMiB;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, readProc(pid).rssMiB);
    } catch {
      // the process is gone; the phase will fail on its own
    }
  }, 100);
  sampler.unref();
  const clientBefore = process.cpuUsage();
  const sysBefore = readSystemCpu();
  const t0 = performance.now();
  try {
    const result = await fn();
    const wallMs = performance.now() - t0;
    const client = process.cpuUsage(clientBefore);
    const after = readProc(pid);
    const sysAfter = readSystemCpu();
    peak = Math.max(peak, after.rssMiB);
    const serverUserMs = after.userMs - before.userMs;
    const serverSysMs = after.sysMs - before.sysMs;
    return {
      result,
      cost: {
        wallMs,
        serverUserMs,
        serverSysMs,
        serverCpuPct: ((serverUserMs + serverSysMs) / wallMs) * 100,
        serverRssEndMiB: after.rssMiB,
        serverRssPeakMiB: peak,
        clientCpuMs: (client.user + client.system) / 1000,
        otherCpuPct: Math.max(
          0,
          ((sysAfter.busyMs -
            sysBefore.busyMs -
            serverUserMs -
            serverSysMs -
            (client.user + client.system) / 1000) /
            wallMs) *
            100,
        ),
      },
    };
  } finally {
    clearInterval(sampler);
  }
}
