import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything a bench run must undo: temp dirs to remove and child processes to kill. The
 * runner calls {@link cleanupAll} in a finally; the exit hook covers a crash or Ctrl-C.
 */
const dirs = new Set<string>();
const pids = new Set<number>();

/** A fresh temp dir, removed at the end of the run. */
export function tempDir(prefix = 'sb-bench-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

/** Removes a temp dir now (and forgets it). */
export function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  dirs.delete(d);
}

/** A child process to SIGKILL at the end if it is still alive. */
export function trackPid(pid: number): void {
  pids.add(pid);
}

export function untrackPid(pid: number): void {
  pids.delete(pid);
}

/** Kills every tracked child by its PID and removes every temp dir. Synchronous; safe to repeat. */
export function cleanupAll(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    pids.delete(pid);
  }
  for (const d of dirs) removeDir(d);
}

let hooked = false;

/** Installs exit and signal hooks that run {@link cleanupAll}. */
export function installCleanupHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(130);
    });
  }
}
