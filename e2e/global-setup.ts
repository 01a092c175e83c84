import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Builds the app once before any test if out/ is missing or stale (the tests run out/main/headless.js). */
export default function globalSetup(): void {
  // note: build output goes to stderr so machine-readable reporters (--reporter=json) keep a clean stdout.
  execFileSync(process.execPath, [join(import.meta.dirname, '../scripts/ensure-build.mjs')], {
    stdio: ['ignore', 2, 2],
  });
}
