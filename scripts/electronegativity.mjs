#!/usr/bin/env node
// The Electron security gate: runs Electronegativity over the desktop shell (main entry, menu,
// guard, preload, and the renderer's HTML for its CSP), subtracts the findings accepted in
// security/electronegativity-accepted.json, prints the rest, and exits 1 if any are new (or if an
// accepted one no longer occurs, so the list does not rot).
//
//   node scripts/electronegativity.mjs [--json]
//
// Offline and deterministic: Electronegativity's two network calls (translations, and the list of
// Electron releases for AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK) are replaced by a stub that answers
// at once, and that check is not run: whether a newer Electron exists changes with the day, not
// with this code (npm outdated / audit answer it). The Electron version is package.json's, pinned.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What is scanned, relative to the repo: everything that configures or talks to Electron. */
export const SCANNED = [
  'src/main/index.ts',
  'src/main/desktop-menu.ts',
  'src/main/desktop-guard.ts',
  'src/preload',
  'src/renderer/index.html',
];
/** note: a network-dependent check (latest Electron release), see the header. */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];
const ACCEPTED_FILE = 'security/electronegativity-accepted.json';

/** The Electron version package.json asks for, e.g. "45.4.1" from "^45.4.1". */
export function electronVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const range = pkg.devDependencies?.electron ?? pkg.dependencies?.electron;
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(range ?? '');
  if (!m) throw new Error(`package.json has no pinned electron version (got ${JSON.stringify(range)})`);
  return m[0];
}

/** Loads Electronegativity's runner with `got` stubbed: no request leaves the machine, nothing waits on one. */
function loadRunner() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const fromPkg = createRequire(join(pkgDir, 'dist/runner.js'));
  const gotPath = fromPkg.resolve('got');
  const offline = () => Promise.resolve({ statusCode: 503, body: '' });
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline };
  return fromPkg(join(pkgDir, 'dist/runner.js'));
}

/**
 * Runs the scan over a staging copy of `files` under `from` (paths kept, so findings name repo
 * files) and returns `{check, file, line, severity, confidence, review}` per finding.
 */
export async function scan({ from = root, files = SCANNED } = {}) {
  const stage = mkdtempSync(join(tmpdir(), 'sb-eneg-'));
  try {
    for (const rel of files) {
      mkdirSync(dirname(join(stage, rel)), { recursive: true });
      cpSync(join(from, rel), join(stage, rel), { recursive: true });
    }
    const run = loadRunner();
    const result = await run(
      {
        input: stage,
        customScan: [],
        excludeFromScan: EXCLUDED_CHECKS,
        isRelative: true,
        isVerbose: false,
        electronVersionOverride: electronVersion(),
        parserPlugins: [],
      },
      false,
    );
    if (result.errors?.length)
      throw new Error(
        `could not parse: ${result.errors.map((e) => `${e.file}: ${e.message ?? e.error}`).join('; ')}`,
      );
    return result.issues.map((i) => ({
      check: i.id,
      file: i.file === 'N/A' ? 'N/A' : i.file.split('\\').join('/'),
      line: i.location?.line ?? 0,
      severity: i.severity?.name ?? String(i.severity),
      confidence: i.confidence?.name ?? String(i.confidence),
      review: !!i.manualReview,
    }));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Splits findings into accepted and new. An accepted entry `{check, file, count, reason}` covers
 * up to `count` findings of that check in that file (lines move; the count does not, silently).
 * Also returns the accepted entries that matched nothing (stale).
 */
export function triage(findings, accepted) {
  const fresh = [];
  const used = new Map(accepted.map((a) => [a, 0]));
  for (const f of findings) {
    const a = accepted.find((x) => x.check === f.check && x.file === f.file && used.get(x) < (x.count ?? 1));
    if (a) used.set(a, used.get(a) + 1);
    else fresh.push(f);
  }
  const stale = accepted.filter((a) => used.get(a) === 0);
  return { fresh, stale };
}

async function main() {
  const started = Date.now();
  const accepted = JSON.parse(readFileSync(join(root, ACCEPTED_FILE), 'utf8')).accepted;
  for (const a of accepted)
    if (!a.check || !a.file || !a.reason)
      throw new Error(`${ACCEPTED_FILE}: every entry needs check, file and reason`);
  const findings = await scan();
  const { fresh, stale } = triage(findings, accepted);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ findings, fresh, stale }, null, 2));
  const where = (f) => `${f.check} ${f.file}${f.line ? `:${f.line}` : ''} (${f.severity}, ${f.confidence})`;
  console.log(
    `electronegativity (Electron ${electronVersion()}): ${findings.length} finding(s), ${findings.length - fresh.length} accepted, ${fresh.length} new [${Date.now() - started} ms]`,
  );
  for (const f of fresh) console.log(`  NEW ${where(f)}`);
  for (const a of stale)
    console.log(`  STALE accepted entry matches nothing: ${a.check} ${a.file} (remove it)`);
  if (fresh.length)
    console.log(
      `Fix them, or accept each with a reason in ${ACCEPTED_FILE}; see https://github.com/doyensec/electronegativity/wiki`,
    );
  process.exit(fresh.length || stale.length ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`electronegativity gate failed to run: ${e.stack ?? e}`);
    process.exit(1);
  });
}
