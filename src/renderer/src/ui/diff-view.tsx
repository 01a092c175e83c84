/**
 * What changed between two versions of a record, `before` -> `after`, as a table of paths with the value
 * before and after (the monitor's update events, the record editor's conflicts). jsondiffpatch computes
 * the delta; it loads only when a diff is shown. Rows can be flagged with a note (a field the user edited
 * too: a real conflict).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { AlertTriangle } from 'lucide-react';
import { LoadingState } from './states';

export interface DiffRow {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** Flattens a jsondiffpatch delta into rows (arrays are shown whole when they changed). */
export function deltaRows(delta: unknown, before: unknown, after: unknown, path = ''): DiffRow[] {
  if (!delta || typeof delta !== 'object') return [];
  if (Array.isArray(delta)) {
    if (delta.length === 1) return [{ path, kind: 'added', after: delta[0] }];
    if (delta.length === 2) return [{ path, kind: 'changed', before: delta[0], after: delta[1] }];
    if (delta.length === 3 && delta[2] === 0) return [{ path, kind: 'removed', before: delta[0] }];
    return [{ path, kind: 'changed', before, after }];
  }
  const d = delta as Record<string, unknown>;
  if (d._t === 'a') return [{ path, kind: 'changed', before, after }];
  const rows: DiffRow[] = [];
  for (const k of Object.keys(d)) {
    const b = (before as Record<string, unknown> | undefined)?.[k];
    const a = (after as Record<string, unknown> | undefined)?.[k];
    rows.push(...deltaRows(d[k], b, a, path ? `${path}.${k}` : k));
  }
  return rows;
}

/** The top-level field a row's path is in (`meta.size` -> `meta`). */
export const fieldOf = (path: string): string => path.split('.')[0]!;

const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

export function DiffView({
  before,
  after,
  labels = { before: 'Before', after: 'After' },
  flagged = {},
  label = 'Changes',
}: {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** The column headings. */
  labels?: { before: string; after: string };
  /** Top-level fields to flag, with the note shown under their row. */
  flagged?: Readonly<Record<string, ReactNode>>;
  /** The table's accessible name. */
  label?: string;
}) {
  const [rows, setRows] = useState<DiffRow[] | null>(null);
  useEffect(() => {
    let live = true;
    void import('jsondiffpatch').then(({ diff }) => {
      if (live) setRows(deltaRows(diff(before, after), before, after));
    });
    return () => {
      live = false;
    };
  }, [before, after]);
  if (!rows) return <LoadingState label="Comparing…" />;
  if (rows.length === 0) return <p className="muted">No field changed.</p>;
  return (
    <table className="diff-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">{labels.before}</th>
          <th scope="col">{labels.after}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => {
          const field = fieldOf(r.path);
          const note = flagged[field];
          // The note goes under the last row of its field (a JSON field can have several).
          const last = i === rows.length - 1 || fieldOf(rows[i + 1]!.path) !== field;
          const row = (
            <tr key={r.path} data-path={r.path} data-kind={r.kind} data-flagged={note ? true : undefined}>
              <th scope="row">
                {note && (
                  <>
                    <AlertTriangle size={12} aria-hidden="true" className="diff-flag" />
                    <span className="sr-only">Conflict: </span>
                  </>
                )}
                {r.path || '(whole)'}
              </th>
              <td className="diff-before">{show(r.before)}</td>
              <td className="diff-after">{show(r.after)}</td>
            </tr>
          );
          if (!note || !last) return row;
          return [
            row,
            <tr key={`${r.path}:note`} className="diff-note" data-flagged>
              <td colSpan={3}>{note}</td>
            </tr>,
          ];
        })}
      </tbody>
    </table>
  );
}
