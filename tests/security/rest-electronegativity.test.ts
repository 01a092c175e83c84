import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronVersion, scan, triage, type AcceptedFinding } from '../../scripts/electronegativity.mjs';
import { tempDir } from '../helpers/server';

// The Electronegativity gate (scripts/electronegativity.mjs, run by `npm test`): offline, quick,
// clean on this repo, and it does catch a misconfigured window.

const accepted = (): AcceptedFinding[] =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../security/electronegativity-accepted.json'), 'utf8'),
  ).accepted;

describe('the electronegativity gate', () => {
  it('pins the Electron version package.json asks for', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(electronVersion()).toBe(pkg.devDependencies.electron.replace(/^[\^~]/, ''));
    expect(electronVersion()).toMatch(/^45\./);
  });

  it('passes on the desktop shell: every finding is accepted with a reason, none is stale', async () => {
    const started = Date.now();
    const findings = await scan();
    expect(Date.now() - started).toBeLessThan(30_000);
    const { fresh, stale } = triage(findings, accepted());
    expect(fresh).toEqual([]);
    expect(stale).toEqual([]);
    // What the review fixed stays fixed.
    const checks = findings.map((f) => f.check);
    for (const fixed of [
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
      'AUXCLICK_JS_CHECK',
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
    ])
      expect(checks).not.toContain(fixed);
  });

  it('fails a window without isolation, sandbox, permission handler or navigation limits', async () => {
    const dir = tempDir('sb-eneg-fixture-');
    mkdirSync(join(dir, 'src/main'), { recursive: true });
    writeFileSync(
      join(dir, 'src/main/index.ts'),
      `import { app, BrowserWindow, shell } from 'electron';
app.whenReady().then(() => {
  const win = new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false } });
  win.webContents.on('new-window', (e: Event, url: string) => shell.openExternal(url));
  void win.loadURL(process.env.URL as string);
});
`,
    );
    const findings = await scan({ from: dir, files: ['src/main/index.ts'] });
    const { fresh } = triage(findings, accepted());
    const checks = fresh.map((f) => f.check);
    for (const c of [
      'CONTEXT_ISOLATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
      'AUXCLICK_JS_CHECK',
    ])
      expect(checks).toContain(c);
  });

  it('counts accepted findings per check and file, and reports stale entries', () => {
    const a = [
      { check: 'X', file: 'f.ts', count: 1, reason: 'r' },
      { check: 'Y', file: 'g.ts', reason: 'r' },
    ];
    const { fresh, stale } = triage(
      [
        { check: 'X', file: 'f.ts' },
        { check: 'X', file: 'f.ts' },
        { check: 'X', file: 'other.ts' },
      ],
      a,
    );
    expect(fresh).toEqual([
      { check: 'X', file: 'f.ts' },
      { check: 'X', file: 'other.ts' },
    ]);
    expect(stale).toEqual([a[1]]);
  });
});
