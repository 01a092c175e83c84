/** Plain-text tables for the terminal (and pasteable as Markdown). */

export type Cell = string | number;

/** Formats a number with `digits` decimals; NaN and undefined print as "-". */
export function fmt(n: number | undefined, digits = 1): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** An integer with thousands separators. */
export const int = (n: number): string => fmt(n, 0);

/** Renders a Markdown table with columns padded to line up; numbers align right. */
export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const right = headers.map((_, i) =>
    rows.every((r) => typeof r[i] === 'number' || /^[\d,.\-%]+$/.test(String(r[i]))),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  const rule =
    '|' + widths.map((w, i) => (right[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...text.map(line)].join('\n');
}
