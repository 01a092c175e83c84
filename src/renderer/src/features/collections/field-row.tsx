/**
 * One field in the schema editor: name, type, flags, and the settings its type takes (default, min/max,
 * pattern, options, relation target). A drag handle and move buttons reorder it; errors sit on their input.
 */
import type { DragEvent, ReactNode } from 'react';
import { ArrowDown, ArrowUp, GripVertical, Trash2 } from 'lucide-react';
import { FIELD_TYPES, type FieldType } from '../../../../shared/schema';
import { SelectField, TextField } from '../../ui/field';
import { splitOptions, type DraftField } from './schema-model';

const TYPE_LABEL: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  bool: 'Yes / no',
  date: 'Date',
  json: 'JSON',
  select: 'Select',
  relation: 'Relation',
};
const TYPE_OPTIONS = FIELD_TYPES.map((t) => ({ value: t, label: TYPE_LABEL[t] }));

export interface FieldRowProps {
  draft: DraftField;
  index: number;
  total: number;
  errors: Record<string, string>;
  collections: readonly string[];
  onChange: (next: DraftField) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
  /** Drag and drop: the index being dragged, and what to do on a drop here. */
  dragging: number | null;
  onDragStart: () => void;
  onDragEnd: () => void;
  onDrop: () => void;
}

function Check({
  label,
  checked,
  onChange,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint: string;
}) {
  return (
    <label className="checkbox" title={hint}>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

export function FieldRow(p: FieldRowProps) {
  const { draft: d, index: i, errors } = p;
  const set = (change: Partial<DraftField>) => p.onChange({ ...d, ...change });
  const named = d.name.trim() || `field ${i + 1}`;
  const bounded = d.type === 'text' || d.type === 'number' || d.type === 'date';
  const boundHint = d.type === 'text' ? 'length' : d.type === 'date' ? 'ms since 1970' : 'value';
  const choices =
    d.type === 'bool' ? ['true', 'false'] : d.type === 'select' ? splitOptions(d.options) : undefined;
  const details: ReactNode[] = [
    choices ? (
      <SelectField
        key="default"
        label="Default"
        value={choices.includes(d.default) ? d.default : ''}
        onChange={(e) => set({ default: e.target.value })}
        error={errors.default}
        options={[{ value: '', label: 'none' }, ...choices.map((c) => ({ value: c, label: c }))]}
      />
    ) : (
      <TextField
        key="default"
        label="Default"
        value={d.default}
        onChange={(e) => set({ default: e.target.value })}
        error={errors.default}
        placeholder={d.type === 'json' ? 'none, or JSON' : d.type === 'date' ? 'none, or 2026-01-31' : 'none'}
        spellCheck={false}
      />
    ),
  ];
  if (bounded)
    details.push(
      <TextField
        key="min"
        label={`Min ${boundHint}`}
        inputMode="numeric"
        value={d.min}
        onChange={(e) => set({ min: e.target.value })}
        error={errors.min}
      />,
      <TextField
        key="max"
        label={`Max ${boundHint}`}
        inputMode="numeric"
        value={d.max}
        onChange={(e) => set({ max: e.target.value })}
        error={errors.max}
      />,
    );
  if (d.type === 'text')
    details.push(
      <TextField
        key="pattern"
        label="Pattern"
        value={d.pattern}
        onChange={(e) => set({ pattern: e.target.value })}
        error={errors.pattern}
        placeholder="any text"
        hint="A regular expression (RE2) values must match."
        spellCheck={false}
        className="field-wide"
      />,
    );
  if (d.type === 'select')
    details.push(
      <TextField
        key="options"
        label="Options"
        value={d.options}
        onChange={(e) => set({ options: e.target.value })}
        error={errors.options}
        hint="Comma-separated, e.g. draft, live, archived"
        className="field-wide"
      />,
    );
  if (d.type === 'relation')
    details.push(
      <SelectField
        key="collection"
        label="Points at collection"
        value={d.collection}
        onChange={(e) => set({ collection: e.target.value })}
        error={errors.collection}
        options={[
          { value: '', label: 'Choose a collection…' },
          ...p.collections.map((c) => ({ value: c, label: c })),
        ]}
      />,
    );

  const onDragOver = (e: DragEvent) => {
    if (p.dragging === null || p.dragging === i) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  };

  return (
    <li
      className={`field-row-card${p.dragging === i ? ' is-dragging' : ''}`}
      data-testid={`field-row-${i}`}
      onDragOver={onDragOver}
      onDrop={(e) => {
        e.preventDefault();
        p.onDrop();
      }}
    >
      <fieldset className="field-card" aria-label={`Field ${i + 1}: ${named}`}>
        <div className="field-card-head">
          <button
            type="button"
            className="icon-btn drag-handle"
            draggable
            aria-label={`Move ${named}: drag, or Alt+↑ / Alt+↓`}
            title="Drag to reorder"
            onDragStart={(e) => {
              e.dataTransfer.effectAllowed = 'move';
              e.dataTransfer.setData('text/plain', String(i));
              p.onDragStart();
            }}
            onDragEnd={p.onDragEnd}
            onKeyDown={(e) => {
              if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
              e.preventDefault();
              p.onMove(e.key === 'ArrowUp' ? i - 1 : i + 1);
            }}
          >
            <GripVertical size={16} aria-hidden="true" />
          </button>
          <TextField
            label="Name"
            value={d.name}
            onChange={(e) => set({ name: e.target.value })}
            error={errors.name ?? errors.previous_name}
            spellCheck={false}
            autoComplete="off"
            hint={
              d.original && d.original !== d.name.trim()
                ? `renames ${d.original}; values are kept`
                : undefined
            }
            className="field-name"
          />
          <SelectField
            label="Type"
            value={d.type}
            onChange={(e) => set({ type: e.target.value as FieldType })}
            options={TYPE_OPTIONS}
            error={errors.type}
            disabled={d.original !== undefined}
            title={
              d.original !== undefined ? 'A saved field keeps its type; add a new field instead.' : undefined
            }
          />
          <div className="field-flags" role="group" aria-label={`${named}: constraints`}>
            <Check
              label="Required"
              checked={d.required}
              onChange={(v) => set({ required: v })}
              hint="Every record must have a value."
            />
            <Check
              label="Unique"
              checked={d.unique}
              onChange={(v) => set({ unique: v })}
              hint="No two records of an account share a value."
            />
            <Check
              label="Indexed"
              checked={d.indexed}
              onChange={(v) => set({ indexed: v })}
              hint="Faster filters and sorts on this field."
            />
          </div>
          <div className="field-tools">
            <button
              type="button"
              className="icon-btn"
              aria-label={`Move ${named} up`}
              disabled={i === 0}
              onClick={() => p.onMove(i - 1)}
            >
              <ArrowUp size={16} aria-hidden="true" />
            </button>
            <button
              type="button"
              className="icon-btn"
              aria-label={`Move ${named} down`}
              disabled={i === p.total - 1}
              onClick={() => p.onMove(i + 1)}
            >
              <ArrowDown size={16} aria-hidden="true" />
            </button>
            <button
              type="button"
              className="icon-btn icon-btn-danger"
              aria-label={`Drop ${named}`}
              onClick={p.onRemove}
            >
              <Trash2 size={16} aria-hidden="true" />
            </button>
          </div>
        </div>
        {details.length > 0 && <div className="field-card-details">{details}</div>}
        {errors._ && (
          <p className="field-error" role="alert">
            {errors._}
          </p>
        )}
      </fieldset>
    </li>
  );
}
