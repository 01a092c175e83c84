/**
 * Pure helpers of the event history: what "go to" was asked for (a seq or a moment), the words for the
 * log's retained range, and which seqs to page around a target.
 */
import type { MonitorHistory, MonitorReplayResult } from '../../../../shared/monitor-history';
import { formatDateTime } from '../../lib/format';

/** What the "go to" field asked for. */
export type GoToTarget = { seq: number } | { time: number } | { error: string };

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Reads a seq (`1234`) or a moment: an ISO time (`2024-05-01T14:30:00Z`), a local date and time
 * (`2024-05-01 14:30[:15[.250]]`) or a local time of day today (`14:30[:15]`).
 */
export function parseGoTo(raw: string, now = new Date()): GoToTarget {
  const text = raw.trim();
  if (!text) return { error: 'Type a seq (e.g. 1234) or a time (e.g. 14:30 or 2024-05-01 14:30).' };
  if (/^#?\d+$/.test(text)) {
    const seq = Number(text.replace('#', ''));
    return seq >= 1 && Number.isSafeInteger(seq) ? { seq } : { error: 'A seq is a whole number from 1.' };
  }
  let iso = text;
  const clock = /^(\d{1,2}):(\d\d)(:\d\d(\.\d{1,3})?)?$/.exec(text);
  if (clock) {
    const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    iso = `${day}T${pad(Number(clock[1]))}:${clock[2]}${clock[3] ?? ''}`;
  } else if (/^\d{4}-\d\d-\d\d[ T]\d/.test(text)) iso = text.replace(' ', 'T');
  else if (!/^\d{4}-\d\d-\d\d$/.test(text)) iso = '';
  const time = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(time))
    return { error: `'${text.slice(0, 40)}' is neither a seq nor a time (e.g. 14:30 or 2024-05-01 14:30).` };
  return { time };
}

/** "seqs 1,201–5,400 (from 1 May 2024, 10:42:03 to …)": what the log holds, for error messages. */
export function retainedRange(h: MonitorHistory): string {
  if (h.oldest_at === null) return 'The event log is empty.';
  const when = h.last_at ? ` (${formatDateTime(h.oldest_at)} to ${formatDateTime(h.last_at)})` : '';
  return `The event log holds seqs ${h.oldest_seq.toLocaleString()}–${h.last_seq.toLocaleString()}${when}.`;
}

// note: events paged on each side of a target seq; a gap smaller than CLOSE_GAP is paged too, so no gap row.
export const AROUND = 100;
export const CLOSE_GAP = 1000;

/**
 * The seqs to page to show `seq`: `AROUND` on each side, down to the log's oldest; up to `top` (the newest
 * seq not loaded above it) when that is close, so the page meets what is shown.
 */
export function windowAround(seq: number, oldest: number, top: number): { from: number; to: number } {
  const from = Math.max(oldest, seq - AROUND);
  const to = top - (seq + AROUND) <= CLOSE_GAP ? top : seq + AROUND;
  return { from, to: Math.max(from, to) };
}

/** A replay's answer in words: "3 frames sent · 1 skipped by filter · 1 not subscribed". */
export function replaySummary(r: MonitorReplayResult): string {
  const s = r.skipped;
  const parts = [`${r.sent.toLocaleString()} frame${r.sent === 1 ? '' : 's'} sent`];
  if (s.filter) parts.push(`${s.filter.toLocaleString()} skipped by filter`);
  if (s.rule) parts.push(`${s.rule.toLocaleString()} skipped by view rule`);
  if (s.not_subscribed) parts.push(`${s.not_subscribed.toLocaleString()} not subscribed`);
  if (s.other) parts.push(`${s.other.toLocaleString()} not for this client`);
  if (r.interrupted) parts.push(`${r.interrupted.toLocaleString()} not sent (the connection closed)`);
  return parts.join(' · ');
}
