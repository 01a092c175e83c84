/**
 * The console's monitor in Debian's Chromium (Playwright, `executablePath`), signed in as the
 * admin: open on a tab, or away from the monitor (the tab on about:blank, so the page and its
 * feed connection are gone: leaving the monitor inside the app keeps the feed open), and a probe
 * inside the page that notes every animation frame, the newest event row on screen at each
 * change (`Date.now()` of the frame, its seq), long tasks and long animation frames
 * (PerformanceObserver `longtask`, `long-animation-frame`); or, lighter, only the last two
 * ({@link ProbeKind}).
 *
 * Page contract (data-testid): `feed-status` (says "Live"), `event-list` (the virtualized
 * grid; `data-count` rows; a row's `aria-rowindex` is its index + 2, so the newest is 2),
 * `event-row` (`data-seq`), `charts` (one uPlot canvas per chart), the "Older" button.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '../../../tests/helpers/chromium';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../../lib/server';
import { sleep } from '../../lib/timing';

const STEP_MS = 15_000;
// note: the charts tab draws six charts (events/s, frames/s, connections, fan-out, loop lag, RSS).
const CHARTS = 6;
// note: the event list's row height (ROW_H in src/renderer/src/features/monitor/event-list.tsx).
const ROW_H = 32;
const POLL_MS = 50;
const VIEWPORT = { width: 1440, height: 900 };
// note: ~240 rows in view per scroll step instead of ~20; painting them at 1/4 of the pixels halves a step.
const SCAN_VIEWPORT = { width: 1440, height: 8000, deviceScaleFactor: 0.25 };

export type MonitorTab = 'events' | 'charts' | 'flow';

/** The seqs a scan of the event list read, as sorted [first, last] ranges. */
export interface Scan {
  ranges: [number, number][];
  /** Scroll positions read. */
  steps: number;
  /** False when the time bound ended the scan before the last row. */
  complete: boolean;
  /** Row indexes of the gap rows seen (seqs between two loaded parts; see {@link MonitorPage.loadGapAt}). */
  gapRows: number[];
}

/** What the probe saw since the last take. */
export interface ProbeTake {
  /** Animation frames (null: the light probe, which does not ask for them). */
  frames: number | null;
  /** [Date.now(), seq of the newest row on screen] at each frame where it changed. */
  top: [number, number][];
  /** The newest row's seq now (0: none). */
  last: number;
  /** Long task durations, ms (the observer reports tasks of 50 ms or more). */
  long: number[];
  /** Long animation frames (50 ms or more from the frame's start to its paint). */
  longFrames: number;
  /** Wall time the take covers, ms. */
  ms: number;
}

/**
 * How the page is watched. `frames`: every animation frame (its count, the newest row at each), for
 * time to screen; asking for every frame makes the browser draw 60 a second, so this costs the page
 * CPU of its own (about 5% of a core here, idle). `light`: only what the page reports by itself, long
 * tasks and long animation frames (over 50 ms), and the newest row read when asked: what watching costs
 * the server is measured without the probe adding to it.
 */
export type ProbeKind = 'frames' | 'light';

const OBSERVE = `
  new PerformanceObserver((l) => { for (const e of l.getEntries()) p.long.push(e.duration); })
    .observe({ type: 'longtask' });
  new PerformanceObserver((l) => { p.longFrames += l.getEntries().length; })
    .observe({ type: 'long-animation-frame' });
  const newest = () => {
    const row = document.querySelector('[data-testid="event-list"] [aria-rowindex="2"]');
    return row ? Number(row.getAttribute('data-seq')) : 0;
  };`;

const PROBE_LIGHT = `(() => {
  if (window.__sbProbe) return;
  const p = (window.__sbProbe = { frames: null, top: [], long: [], longFrames: 0, since: Date.now() });
  ${OBSERVE}
  Object.defineProperty(p, 'last', { get: newest });
})()`;

const PROBE = `(() => {
  if (window.__sbProbe) return;
  const p = (window.__sbProbe = { frames: 0, last: -1, top: [], long: [], longFrames: 0, since: Date.now() });
  ${OBSERVE}
  const step = () => {
    p.frames++;
    const seq = newest();
    if (seq !== p.last) { p.last = seq; p.top.push([Date.now(), seq]); }
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})()`;

const TAKE = `(() => {
  const p = window.__sbProbe;
  const now = Date.now();
  const r = { frames: p.frames, top: p.top, last: Math.max(0, p.last), long: p.long, longFrames: p.longFrames, ms: now - p.since };
  if (p.frames !== null) p.frames = 0;
  p.top = []; p.long = []; p.longFrames = 0; p.since = now;
  return r;
})()`;

/**
 * Reads the seq of every row of the event list from `from` (a row index) to the end, scrolling
 * the virtual list a screen at a time and waiting at each position until the rows there are in
 * the DOM (rendered), until the end or `deadlineMs`.
 */
const scanScript = (from: number, deadlineMs: number) => `(async () => {
  const el = document.querySelector('[data-testid="event-list"]');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const seen = new Set();
  const gapRows = new Set();
  const end = Date.now() + ${deadlineMs};
  let steps = 0;
  let complete = false;
  el.scrollTop = ${from * ROW_H};
  while (Date.now() < end) {
    // Every row in view is in the DOM once the first and the last in view are (the range is contiguous).
    const count = Number(el.getAttribute('data-count'));
    const row = (px) => Math.min(count - 1, Math.max(0, Math.floor(px / ${ROW_H}) - 1)) + 2;
    const has = (i) => !!el.querySelector('[aria-rowindex="' + i + '"]');
    for (let k = 0; k < 60; k++) {
      await frame();
      if (has(row(el.scrollTop)) && has(row(el.scrollTop + el.clientHeight))) break;
    }
    for (const r of el.querySelectorAll('[data-testid="event-row"]')) seen.add(Number(r.getAttribute('data-seq')));
    for (const r of el.querySelectorAll('[data-testid="event-gap"]')) gapRows.add(Number(r.getAttribute('aria-rowindex')) - 2);
    steps++;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) {
      complete = true;
      break;
    }
    el.scrollTop += el.clientHeight - ${2 * ROW_H};
  }
  const s = [...seen].sort((a, b) => a - b);
  const ranges = [];
  for (const n of s) {
    const last = ranges[ranges.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else ranges.push([n, n]);
  }
  el.scrollTop = 0;
  return { ranges, steps, complete, gapRows: [...gapRows].sort((a, b) => a - b) };
})()`;

/**
 * One Chromium; each page in a context of its own (its own window: two pages of one context
 * are tabs of one window, and the one behind gets ~1 animation frame a second).
 */
export class MonitorBrowser {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<MonitorBrowser> {
    const browser = await chromium.launch(CHROMIUM_LAUNCH);
    return new MonitorBrowser(browser);
  }

  /** A page signed in to `url` as the admin (on the console's home screen: no monitor feed yet); closing it closes its context. */
  async page(url: string): Promise<MonitorPage> {
    const context = await this.browser.newContext({ viewport: VIEWPORT });
    try {
      const p = new MonitorPage(await context.newPage(), url, context);
      await p.signIn();
      return p;
    } catch (e) {
      await context.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** One tab of the console. The session (refresh token) is in its sessionStorage, so reloads stay signed in. */
export class MonitorPage {
  constructor(
    readonly page: Page,
    private readonly url: string,
    private readonly context: BrowserContext,
  ) {}

  /** Closes the page and its context. */
  async close(): Promise<void> {
    await this.context.close();
  }

  async signIn(): Promise<void> {
    await this.page.goto(this.url);
    await this.page.getByLabel('Email').fill(ADMIN_EMAIL);
    await this.page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await this.page.getByRole('button', { name: /sign in/i }).click();
    await this.page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: STEP_MS });
  }

  /**
   * Loads the monitor on `tab` and waits until its feed is live (and, for the charts, all are
   * drawn). Right after signing in this is a hash change in the open console (the monitor was
   * never opened, so there is no feed yet); after {@link hide}, a fresh load.
   */
  async show(tab: MonitorTab, readyMs: number, probe: ProbeKind = 'frames'): Promise<void> {
    await this.page.goto(`${this.url}/#/monitor${tab === 'events' ? '' : `?tab=${tab}`}`);
    await this.page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: readyMs });
    if (tab === 'flow') await this.page.locator('.flow-canvas canvas').waitFor({ timeout: readyMs });
    if (
      tab === 'charts' &&
      !(await this.poll(
        `document.querySelectorAll('[data-testid="charts"] canvas').length >= ${CHARTS}`,
        readyMs,
      ))
    )
      throw new Error(`the charts were not drawn within ${readyMs} ms`);
    await this.page.evaluate(probe === 'frames' ? PROBE : PROBE_LIGHT);
  }

  /** Leaves the console altogether (the feed's socket closes with the page). */
  async hide(): Promise<void> {
    await this.page.goto('about:blank');
  }

  /** What the probe saw since the last take (or since {@link show}). */
  take(): Promise<ProbeTake> {
    return this.page.evaluate(TAKE) as Promise<ProbeTake>;
  }

  /** Charts drawn now (uPlot canvases). */
  charts(): Promise<number> {
    return this.page.evaluate(
      `document.querySelectorAll('[data-testid="charts"] canvas').length`,
    ) as Promise<number>;
  }

  /**
   * Evaluates `expr` in the page every POLL_MS until it is true (true) or `ms` have passed
   * (false). Not waitForFunction: that compiles a string predicate inside the page, which the
   * console's CSP (no 'unsafe-eval') refuses; `evaluate` goes through the debugger instead.
   */
  async poll(expr: string, ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    for (;;) {
      if (await this.page.evaluate(expr)) return true;
      if (performance.now() > end) return false;
      await sleep(POLL_MS);
    }
  }

  /** Waits until the newest row on screen is `seq` or newer; false after `ms`. */
  waitForTop(seq: number, ms: number): Promise<boolean> {
    return this.poll(`(window.__sbProbe?.last ?? 0) >= ${seq}`, ms);
  }

  /** Rows in the event list (its `data-count`). */
  async rowCount(): Promise<number> {
    const n = await this.page.getByTestId('event-list').getAttribute('data-count');
    return Number(n ?? 0);
  }

  /**
   * Every row's seq from row `from` on (see {@link scanScript}), in a tall viewport drawn at a
   * quarter of the pixels (the rows are laid out as usual; only painting is cheaper).
   */
  async scan(from: number, deadlineMs: number): Promise<Scan> {
    const cdp = await this.context.newCDPSession(this.page);
    try {
      await cdp.send('Emulation.setDeviceMetricsOverride', { ...SCAN_VIEWPORT, mobile: false });
      return (await this.page.evaluate(scanScript(from, deadlineMs))) as Scan;
    } finally {
      await cdp.send('Emulation.clearDeviceMetricsOverride');
      await cdp.detach();
      await this.page.setViewportSize(VIEWPORT);
    }
  }

  /**
   * Clicks the "Load" button of the gap row at row `index` (the seqs between two loaded parts, such as
   * the live ring and the opening page of the log once the ring has moved on; each click loads the
   * oldest 1,000 of them); resolves with the new row count, or null when there is no gap row there.
   */
  async loadGapAt(index: number, ms: number): Promise<number | null> {
    const before = await this.rowCount();
    const at = await this.page.evaluate(`(async () => {
      const el = document.querySelector('[data-testid="event-list"]');
      el.scrollTop = ${index * ROW_H};
      const row = () => el.querySelector('[aria-rowindex="${index + 2}"]');
      for (let k = 0; k < 60 && !row(); k++) await new Promise((r) => requestAnimationFrame(() => r()));
      return row()?.getAttribute('data-testid') ?? null;
    })()`);
    if (at !== 'event-gap') return null;
    await this.page.getByTestId('event-gap').getByRole('button', { name: /^Load/ }).click();
    const grew = await this.poll(
      `Number(document.querySelector('[data-testid="event-list"]')?.getAttribute('data-count') ?? 0) > ${before}`,
      ms,
    );
    if (!grew) throw new Error(`the gap row's "Load" added no row within ${ms} ms`);
    return this.rowCount();
  }

  /** Clicks "Older" (1,000 events before the oldest held, from the event log); resolves with the new row count. */
  async older(ms: number): Promise<number> {
    const before = await this.rowCount();
    await this.page.getByRole('button', { name: 'Older' }).click();
    const grew = await this.poll(
      `Number(document.querySelector('[data-testid="event-list"]')?.getAttribute('data-count') ?? 0) > ${before}`,
      ms,
    );
    if (!grew) throw new Error(`"Older" added no row within ${ms} ms`);
    return this.rowCount();
  }
}
