/**
 * `npm run bench [-- --only rest[,other]] [--cluster] [--quick] [--list]`: prints figures, not
 * pass/fail. `--cluster` is `--only cluster` (with `--only`, it adds the cluster section).
 *
 * Adding a section: write `bench/sections/NAME.ts` exporting a default {@link Section}, and add
 * one line to SECTIONS below. Sections run in the order listed here.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll, installCleanupHooks } from './lib/cleanup';
import { machine } from './lib/machine';
import { readSystemCpu } from './lib/proc';
import type { Section } from './lib/section';
import { fmt } from './lib/table';

const SECTIONS: Record<string, () => Promise<{ default: Section }>> = {
  rest: () => import('./sections/rest'),
  realtime: () => import('./sections/realtime'),
  dialects: () => import('./sections/dialects'),
  monitor: () => import('./sections/monitor'),
  'monitor-console': () => import('./sections/monitor-console'),
  cluster: () => import('./sections/cluster'),
  console: () => import('./sections/console'),
  framing: () => import('./sections/framing'),
};

const USAGE = `usage: npm run bench [-- --only NAME[,NAME]] [--cluster] [--quick] [--list]
sections: ${Object.keys(SECTIONS).join(', ')}`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        only: { type: 'string' },
        cluster: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const only = args.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const names = args.cluster ? [...new Set([...(only ?? []), 'cluster'])] : (only ?? Object.keys(SECTIONS));
  const unknown = names.filter((n) => !SECTIONS[n]);
  if (unknown.length) {
    console.error(`unknown section ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  if (args.list) {
    for (const n of Object.keys(SECTIONS))
      console.log(`${n.padEnd(16)} ${(await SECTIONS[n]!()).default.summary}`);
    return 0;
  }

  installCleanupHooks();
  // The servers under test run the built output (out/main/headless.js), as `npm run serve` does.
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/ensure-build.mjs', import.meta.url))], {
    stdio: 'inherit',
  });
  const m = machine();
  console.log(
    `# Switchboard bench ${m.date}${args.quick ? ' (--quick: smoke bounds, figures not meaningful)' : ''}`,
  );
  console.log(`machine: ${m.nproc} CPUs, ${m.cpu}, ${fmt(m.ramGiB, 1)} GiB RAM`);
  console.log(`runtime: Node ${m.node}, SQLite ${m.sqlite} (better-sqlite3)`);
  console.log(`data dirs: ${m.tmpFs}`);
  console.log(`load average at start: ${m.load.map((l) => fmt(l, 2)).join(' ')}`);
  const started = performance.now();
  let code = 0;
  try {
    for (const name of names) {
      const section = (await SECTIONS[name]!()).default;
      console.log(`\n## ${section.name}: ${section.summary}\n`);
      const t0 = performance.now();
      const cpu0 = readSystemCpu();
      try {
        await section.run({ quick: args.quick, print: (line = '') => console.log(line) });
      } catch (e) {
        code = 1;
        console.error(`section ${name} failed: ${(e as Error).stack ?? e}`);
      } finally {
        // note: a failed section must not leave its server or data behind for the next one.
        cleanupAll();
      }
      const cpu1 = readSystemCpu();
      // note: steal is CPU the VM's host gave to others; the "others CPU %" columns include it.
      const steal = (cpu1.stealMs - cpu0.stealMs) / Math.max(1, cpu1.totalMs - cpu0.totalMs);
      console.log(
        `\n(${name}: ${fmt((performance.now() - t0) / 1000, 1)} s; host steal ${fmt(steal * 100, 1)}% of the CPUs)`,
      );
    }
  } finally {
    cleanupAll();
  }
  console.log(`\ntotal: ${fmt((performance.now() - started) / 1000, 1)} s`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).stack ?? e);
    cleanupAll();
    process.exit(1);
  },
);
