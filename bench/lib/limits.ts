import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { int } from './table';

/** The soft and hard limits on open files of a process, from /proc. */
export function nofile(pid: number | 'self'): { soft: number; hard: number } {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  const n = (s: string | undefined) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/** Raises this process's soft open-files limit to `need` if the hard limit allows (children inherit it). */
export function ensureNofile(need: number): string {
  const before = nofile('self');
  if (before.soft >= need)
    return `open files limit ${before.soft} (hard ${before.hard}): enough for ${int(need)}`;
  if (before.hard < need)
    return `open files limit ${before.soft} (hard ${before.hard}) is below ${int(need)}; cannot raise it without privileges`;
  try {
    // note: Node has no setrlimit; prlimit(1) sets it on this process from outside.
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${before.hard}`]);
    return `raised the open files soft limit from ${before.soft} to ${nofile('self').soft} (hard ${before.hard})`;
  } catch (e) {
    return `could not raise the open files limit (${before.soft}): ${(e as Error).message.split('\n')[0]}`;
  }
}
