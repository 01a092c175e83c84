/**
 * Temp dirs and child PIDs a bench run must undo: the tests' registry (tests/helpers/cleanup.ts),
 * so one exit hook covers both. The runner calls {@link cleanupAll} in a finally and
 * {@link installCleanupHooks} for Ctrl-C.
 */
import { tempDir as sharedTempDir } from '../../tests/helpers/cleanup';

export {
  cleanupAll,
  installCleanupHooks,
  removeDir,
  trackPid,
  untrackPid,
} from '../../tests/helpers/cleanup';

/** A fresh temp dir, removed at the end of the run. */
export function tempDir(prefix = 'sb-bench-'): string {
  return sharedTempDir(prefix);
}
