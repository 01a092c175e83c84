/**
 * CPU of a changing set of processes (a browser's, whose renderers come and go): the
 * descendants of a process from /proc, and their CPU added up over a window in which some may
 * start or exit. Linux only, like proc.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';

// note: USER_HZ is 100 on every Linux architecture Node runs on (as in proc.ts).
const TICK_MS = 10;

/** ppid and CPU (user + system, ms) of one process, or undefined once it is gone. */
function stat(pid: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // note: the comm field may hold spaces and parentheses; the fields after the last ')' are fixed.
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // rest[1] is field 4 (ppid); utime and stime are fields 14 and 15.
    return { ppid: Number(rest[1]), cpuMs: (Number(rest[11]) + Number(rest[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, their children, …), not `root` itself. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid);
    if (list) list.push(Number(name));
    else children.set(s.ppid, [Number(name)]);
  }
  const out: number[] = [];
  const todo = [...(children.get(root) ?? [])];
  while (todo.length) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU of each process in `pids` now, ms (gone ones left out). */
export function cpuOf(pids: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) {
    const s = stat(pid);
    if (s) m.set(pid, s.cpuMs);
  }
  return m;
}

/**
 * The CPU a set of processes used between two {@link cpuOf} readings, ms: a process in both
 * counts its difference, one that started meanwhile all of its time; one that exited meanwhile
 * is lost (so this is a lower bound when processes exit inside the window).
 */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/** Tracks the CPU of `root`'s descendants, except `exclude` and theirs, across windows. */
export class TreeCpu {
  constructor(
    private readonly root: number,
    private readonly exclude: () => number[],
  ) {}

  /** The processes counted now. */
  pids(): number[] {
    const skip = new Set<number>();
    for (const pid of this.exclude()) {
      skip.add(pid);
      for (const d of descendants(pid)) skip.add(d);
    }
    return descendants(this.root).filter((p) => !skip.has(p));
  }

  /** Starts a window; call the returned function at its end for the CPU used inside it, ms. */
  start(): () => number {
    const before = cpuOf(this.pids());
    return () => cpuBetween(before, cpuOf(this.pids()));
  }
}
