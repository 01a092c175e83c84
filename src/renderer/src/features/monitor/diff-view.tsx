/**
 * What an update changed, `previous` -> `data`, as a list of paths with the value before and after.
 * jsondiffpatch computes the delta; it loads only when an update is opened.
 */
import { useEffect, useState } from 'react';
import { LoadingState } from '../../ui/states';

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

const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

export function DiffView({
  before,
  after,
}: {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
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
    <table className="mon-diff" aria-label="Changes">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.path} data-kind={r.kind}>
            <th scope="row">{r.path || '(whole)'}</th>
            <td className="mon-diff-before">{show(r.before)}</td>
            <td className="mon-diff-after">{show(r.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
