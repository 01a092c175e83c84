/**
 * One input per field type for the record editor: text, number, bool, date, json (a textarea checked as
 * JSON), select (its options) and relation (a picker that searches the target collection).
 */
import { useEffect, useId, useState } from 'react';
import type { FieldDef, RecordData } from '../../../../shared/schema';
import { useAppStore } from '../../store';
import { searchRelation } from './actions';

interface Props {
  field: FieldDef;
  value: string | boolean;
  error?: string;
  onChange: (v: string | boolean) => void;
}

function describe(f: FieldDef): string {
  const bits: string[] = [f.type];
  if (f.required) bits.push('required');
  if (f.unique) bits.push('unique');
  if (f.min !== undefined) bits.push(`min ${f.min}`);
  if (f.max !== undefined) bits.push(`max ${f.max}`);
  if (f.type === 'relation' && f.collection) bits.push(`→ ${f.collection}`);
  return bits.join(' · ');
}

export function FieldInput({ field: f, value, error, onChange }: Props) {
  const id = useId();
  const errId = `${id}-err`;
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errId : `${id}-hint`,
    'data-field': f.name,
  } as const;
  let input;
  switch (f.type) {
    case 'bool':
      input = (
        <label className="checkbox rp-bool">
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          {value === true ? 'true' : 'false'}
        </label>
      );
      break;
    case 'number':
      input = (
        <input
          {...common}
          inputMode="decimal"
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'date':
      input = (
        <input
          {...common}
          type="datetime-local"
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'json':
      input = (
        <textarea
          {...common}
          className="rp-json"
          rows={4}
          spellCheck={false}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'select':
      input = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {(f.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'relation':
      input = (
        <RelationPicker
          common={common}
          target={f.collection ?? ''}
          value={String(value)}
          onChange={onChange}
        />
      );
      break;
    default:
      input = <input {...common} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="field rp-field">
      {f.type === 'bool' ? (
        <span className="rp-label" id={`${id}-label`}>
          {f.name}
        </span>
      ) : (
        <label htmlFor={id}>{f.name}</label>
      )}
      {input}
      {error ? (
        <p id={errId} className="field-error" role="alert">
          {error}
        </p>
      ) : (
        <p id={`${id}-hint`} className="field-hint">
          {describe(f)}
        </p>
      )}
    </div>
  );
}

/** A text input for the id plus a searchable list of the target collection's records. */
function RelationPicker({
  common,
  target,
  value,
  onChange,
}: {
  common: Record<string, unknown>;
  target: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const labelField = useAppStore(
    (s) =>
      s.collections.list.data?.find((c) => c.name === target)?.fields.find((f) => f.type === 'text')?.name,
  );
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<RecordData[] | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const listId = useId();
  useEffect(() => {
    if (!open) return;
    let live = true;
    const t = setTimeout(() => {
      void searchRelation(target, labelField, q).then((r) => {
        if (!live) return;
        if (r.ok) {
          setItems(r.value);
          setErr(null);
        } else setErr(r.error.message);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [open, q, target, labelField]);
  return (
    <div className="rp-rel">
      <div className="rp-rel-row">
        <input {...common} value={value} onChange={(e) => onChange(e.target.value)} placeholder="record id" />
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Close' : 'Pick…'}
        </button>
      </div>
      {open && (
        <div className="rp-rel-pop">
          <input
            aria-label={`Search ${target}`}
            placeholder={`Search ${target} by id${labelField ? ` or ${labelField}` : ''}`}
            value={q}
            autoFocus
            onChange={(e) => setQ(e.target.value)}
            aria-controls={listId}
          />
          {err && <p className="field-error">{err}</p>}
          <ul id={listId} className="rp-rel-list" role="listbox" aria-label={`Records of ${target}`}>
            {items?.length === 0 && <li className="muted">No record matches.</li>}
            {items?.map((r) => (
              <li key={r.id} role="option" aria-selected={r.id === value}>
                <button
                  type="button"
                  onClick={() => {
                    onChange(r.id);
                    setOpen(false);
                  }}
                >
                  <code>{r.id}</code> {labelField && <span>{String(r[labelField] ?? '')}</span>}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
