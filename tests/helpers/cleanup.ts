/**
 * What a test or bench run must undo: temp dirs to remove and child processes to kill, by
 * PID. Free of vitest and of server imports, so tests, Playwright specs and `bench/` share it.
 * On exit every tracked child is SIGKILLed and every tracked dir removed, so a crashed run
 * leaves nothing behind; {@link installCleanupHooks} adds the same on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();
const pids = new Set<number>();

/** A fresh temp dir, removed by {@link removeDir} or at exit at the latest. */
export function tempDir(prefix = 'sb-test-'): string {
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

/** Forgets a child that has exited (its PID may be reused). */
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

process.once('exit', cleanupAll);

let hooked = false;

/** Makes SIGINT and SIGTERM run {@link cleanupAll} before exiting (for a CLI run such as the bench). */
export function installCleanupHooks(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(130);
    });
  }
}
