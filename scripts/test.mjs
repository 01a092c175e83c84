#!/usr/bin/env node
// The README's test command: every gate in STYLE.md order, then one line "N passed, N failed".
// Gates: format -> lint -> typecheck -> unit/integration (vitest) -> build -> e2e (Playwright).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const tmp = '.tmp';
mkdirSync(tmp, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;

function run(name, cmd, args, env = {}) {
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  if (!ok) console.log(`== ${name} FAILED (exit ${r.status ?? r.signal})`);
  return ok;
}

function gate(name, cmd, args) {
  if (run(name, cmd, args)) passed++;
  else failed++;
}

gate('format', 'npx', ['prettier', '--check', '.']);
gate('lint', 'npx', ['eslint', '.', '--max-warnings', '0']);
gate('typecheck (node)', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
gate('typecheck (web)', 'npx', ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
// Electron security review (offline, a few seconds): new findings fail; accepted ones are in security/.
gate('electronegativity', 'node', ['scripts/electronegativity.mjs']);

const vitestJson = `${tmp}/vitest.json`;
rmSync(vitestJson, { force: true });
const vitestOk = run('unit and integration', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  if (!vitestOk && r.numFailedTests === 0) failed++;
} else if (!vitestOk) failed++;

const built = run('build', 'npm', ['run', 'build']);
if (built) passed++;
else failed++;

if (built && existsSync('playwright.config.ts')) {
  const pwJson = `${tmp}/playwright.json`;
  rmSync(pwJson, { force: true });
  const pwOk = run('e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
  });
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
    passed += s.expected + (s.flaky ?? 0);
    failed += s.unexpected;
    skipped += s.skipped;
    if (!pwOk && s.unexpected === 0) failed++;
  } else if (!pwOk) failed++;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
