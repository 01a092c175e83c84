/**
 * A collapsible JSON tree (DevTools style): objects and arrays fold with a disclosure button, values are
 * coloured by type. Levels below `openDepth` start folded.
 */
import { useState } from 'react';
import { ChevronDown, ChevronRight } from 'lucide-react';

export function JsonTree({
  value,
  openDepth = 2,
  label,
}: {
  value: unknown;
  openDepth?: number;
  label?: string;
}) {
  return (
    <div className="jt" role="tree" aria-label={label ?? 'JSON'}>
      <Node name={null} value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function Node({
  name,
  value,
  depth,
  openDepth,
}: {
  name: string | null;
  value: unknown;
  depth: number;
  openDepth: number;
}) {
  const [open, setOpen] = useState(depth < openDepth);
  const isObj = value !== null && typeof value === 'object';
  const key = name !== null ? <span className="jt-key">{name}: </span> : null;
  if (!isObj)
    return (
      <div className="jt-row" role="treeitem" aria-selected={false} style={{ paddingLeft: depth * 14 + 16 }}>
        {key}
        <Leaf value={value} />
      </div>
    );
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const summary = Array.isArray(value) ? `Array(${entries.length})` : `{${entries.length === 0 ? '' : '…'}}`;
  return (
    <div role="treeitem" aria-expanded={open} aria-selected={false}>
      <button
        type="button"
        className="jt-row jt-toggle"
        style={{ paddingLeft: depth * 14 }}
        onClick={() => setOpen(!open)}
      >
        {open ? <ChevronDown size={12} aria-hidden="true" /> : <ChevronRight size={12} aria-hidden="true" />}
        {key}
        <span className="jt-summary">{summary}</span>
      </button>
      {open && (
        <div role="group">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
        </div>
      )}
    </div>
  );
}

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span className="jt-null">null</span>;
  if (typeof value === 'string') return <span className="jt-str">"{value}"</span>;
  if (typeof value === 'number') return <span className="jt-num">{value}</span>;
  if (typeof value === 'boolean') return <span className="jt-bool">{String(value)}</span>;
  return <span className="jt-null">{String(value)}</span>;
}

/** Parses frame text for the tree; undefined when it is not JSON. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
