/**
 * The filter box: filter-language JSON in the rules' editor (completion of fields and operators, the
 * parser's error underlined as you type), one line high. Enter checks it with the server's parser: a
 * mistake shows under the box in the parser's words (which part, what is wrong) and is not sent. `/` on
 * the screen focuses the box; Esc leaves it.
 */
import { useEffect, useId, useState } from 'react';
import { Filter, X } from 'lucide-react';
import type { FieldTypes } from '../../../../shared/filter';
import type { FieldDef } from '../../../../shared/schema';
import { FilterEditor } from '../../ui/filter-editor';
import { checkFilterText } from './query';

export function FilterInput({
  value,
  fields,
  types,
  onApply,
}: {
  /** The filter applied now (from the URL). */
  value: string;
  /** The collection's fields, for completion. */
  fields: readonly FieldDef[];
  types: FieldTypes;
  onApply: (text: string) => void;
}) {
  const [text, setText] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  useEffect(() => {
    setText(value);
    const r = checkFilterText(value, types);
    setError(r.ok ? null : r.message);
  }, [value, types]);

  const apply = (t: string) => {
    const r = checkFilterText(t, types);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setError(null);
    onApply(t.trim());
  };
  const example =
    Object.keys(types).find((f) => types[f] === 'text' && f !== 'id' && f !== 'account') ?? 'id';

  return (
    <div className="rf">
      <div className="rf-box" data-invalid={error ? true : undefined}>
        <Filter size={15} aria-hidden="true" className="rf-icon" />
        <FilterEditor
          value={text}
          onChange={(t) => {
            setText(t);
            if (error) setError(null);
          }}
          fields={fields}
          label="Filter records (JSON)"
          describedBy={error ? `${id}-err` : undefined}
          invalid={!!error}
          testId="records-filter"
          shortcut="filter"
          placeholder={`Filter, e.g. {"${example}": {"$like": "%news%"}}`}
          userRefs={false}
          allowEmpty
          onSubmit={apply}
          onEscape={() => (document.activeElement as HTMLElement | null)?.blur()}
        />
        {text && (
          <button
            type="button"
            className="icon-btn rf-clear"
            aria-label="Clear the filter"
            onClick={() => {
              setText('');
              apply('');
            }}
          >
            <X size={14} aria-hidden="true" />
          </button>
        )}
      </div>
      {error && (
        <p id={`${id}-err`} className="field-error rf-error" role="alert" data-testid="records-filter-error">
          {error}
        </p>
      )}
      {!error && text.trim() !== value && <p className="field-hint rf-error">Press Enter to apply.</p>}
    </div>
  );
}
