/**
 * Whether every event of a run is in the monitor's event stream afterwards. The stream is a
 * virtualized list (only the rows in view are in the DOM) over a ring of the newest 50,000
 * summaries, so its seqs are read by scrolling the list a screen at a time in a tall viewport
 * (no hook into the page's state: the buffer is module state of the renderer bundle). Events older than the ring are then paged in with the
 * list's "Older" button (from the event log, 1,000 a click) and the rows after the ring read; seqs
 * between the ring and the log's opening page (the ring moved on) are loaded with the gap row's "Load".
 */
import { int } from '../../lib/table';
import type { MonitorPage } from './page';

const OLDER_PAGE = 1000;
const OLDER_MS = 30_000;

export interface StreamCheck {
  /** Rows for the report table: [what, measured, target]. */
  rows: string[][];
  /** Seqs of the run among the rows the feed delivered (the ring). */
  inRing: number;
  /** Further seqs of the run found after loading the gap row below the ring. */
  viaGap: number;
  /** Further seqs of the run found after paging with "Older". */
  viaOlder: number;
  missing: number;
  /** False when a scan hit its time bound (then `missing` counts rows not read too). */
  complete: boolean;
}

type Ranges = [number, number][];

/** The same seqs as sorted ranges that neither overlap nor touch. */
function merge(ranges: Ranges): Ranges {
  const out: Ranges = [];
  for (const [a, b] of [...ranges].sort((p, q) => p[0] - q[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** How many of first..last the (merged) ranges hold. */
function within(ranges: Ranges, first: number, last: number): number {
  let n = 0;
  for (const [a, b] of ranges) n += Math.max(0, Math.min(b, last) - Math.max(a, first) + 1);
  return n;
}

/** The parts of first..last the ranges do not hold (ranges sorted, not overlapping). */
function gaps(ranges: Ranges, first: number, last: number): Ranges {
  const out: Ranges = [];
  let at = first;
  for (const [a, b] of [...ranges].sort((p, q) => p[0] - q[0])) {
    if (b < at) continue;
    if (a > last) break;
    if (a > at) out.push([at, Math.min(a - 1, last)]);
    at = Math.max(at, b + 1);
  }
  if (at <= last) out.push([at, last]);
  return out;
}

const show = (rs: Ranges) =>
  rs
    .slice(0, 5)
    .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
    .join(', ') + (rs.length > 5 ? ', …' : '');

/** Reads the stream's seqs and sets them against the run's first..last. */
export async function checkStream(
  page: MonitorPage,
  first: number,
  last: number,
  scanMs: number,
): Promise<StreamCheck> {
  const total = last - first + 1;
  const rows: string[][] = [];
  const ringRows = await page.rowCount();
  const t0 = performance.now();
  const ring = await page.scan(0, scanMs);
  let complete = ring.complete;
  const inRing = within(ring.ranges, first, last);
  const ringGaps = gaps(ring.ranges, first, last);
  rows.push([
    'run events in the stream as delivered (the ring)',
    `${int(inRing)} of ${int(total)}; ${int(ringRows)} rows, seq ${ring.ranges[0]?.[0] ?? '-'}-${
      ring.ranges.at(-1)?.[1] ?? '-'
    }; ${int(ring.steps)} scroll steps in ${int(performance.now() - t0)} ms` +
      (ring.complete ? '' : ' (STOPPED by the time bound before the last row)') +
      (ringGaps.length ? `; not there: ${show(ringGaps)}` : ''),
    `${int(total)} (the ring keeps the newest 50,000)`,
  ]);

  let viaGap = 0;
  let missing = total - inRing;
  let held = ring.ranges;
  // The ring moved on past the log's opening page: the list shows a gap row right after the ring's
  // rows. Load it as a user would (1,000 seqs a click), then read the rows past the ring.
  const gapRow = ring.gapRows[0];
  if (missing > 0 && ring.complete && gapRow !== undefined) {
    let clicks = 0;
    let count: number | null = ringRows;
    const bound = Math.ceil(total / OLDER_PAGE) + 1;
    for (; clicks < bound; clicks++) {
      const next = await page.loadGapAt(gapRow, OLDER_MS);
      if (next === null) break;
      count = next;
    }
    const tail = await page.scan(Math.max(0, gapRow - 20), scanMs);
    complete &&= tail.complete;
    held = merge([...ring.ranges, ...tail.ranges]);
    viaGap = within(held, first, last) - inRing;
    const left = gaps(held, first, last);
    missing = left.reduce((a, [p, q]) => a + q - p + 1, 0);
    rows.push([
      'run events loaded from the gap row (the event log)',
      `${int(viaGap)} more in ${clicks} clicks (${int(count ?? 0)} rows now)` +
        (left.length ? `; still missing: ${show(left)}` : ''),
      '-',
    ]);
  }

  let viaOlder = 0;
  // Older than everything held: page it in as a user would, then read the rows past the ring.
  if (missing > 0 && complete && first < (held[0]?.[0] ?? Infinity)) {
    const clicks = Math.ceil(((held[0]?.[0] ?? first) - first) / OLDER_PAGE);
    let count = await page.rowCount();
    const from = count;
    for (let c = 0; c < clicks; c++) count = await page.older(OLDER_MS);
    const tail = await page.scan(Math.max(0, from - 20), scanMs);
    complete &&= tail.complete;
    const before = within(held, first, last);
    held = merge([...held, ...tail.ranges]);
    viaOlder = within(held, first, last) - before;
    const left = gaps(held, first, last);
    missing = left.reduce((a, [p, q]) => a + q - p + 1, 0);
    rows.push([
      'run events paged in with "Older" (from the event log)',
      `${int(viaOlder)} more in ${clicks} clicks (${int(count)} rows now)` +
        (left.length ? `; still missing: ${show(left)}` : ''),
      '-',
    ]);
  }
  rows.push(['run events missing from the stream', int(missing), '0']);
  return { rows, inRing, viaGap, viaOlder, missing, complete };
}
