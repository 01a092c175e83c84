/** Small display helpers for the monitor. */
import type { FanoutFigures } from '../../../../shared/monitor';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A moment as local `HH:MM:SS.mmm` (DevTools' frame times). */
export function clockMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A fan-out in words: `2 sent · 1 skipped by filter · 1 skipped by rule`. */
export function fanoutLine(f: FanoutFigures): string {
  const parts = [`${f.sent} sent`];
  if (f.skipped_filter) parts.push(`${f.skipped_filter} skipped by filter`);
  if (f.skipped_rule) parts.push(`${f.skipped_rule} skipped by rule`);
  if (f.dropped) parts.push(`${f.dropped} dropped`);
  return parts.join(' · ');
}

/** Bytes in B, KiB, MiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** How long ago, short: `4s`, `3m`, `2h`. */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d`;
}
