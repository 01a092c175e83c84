/**
 * The filter box: filter-language JSON, checked on the client with the server's parser when Enter is
 * pressed; a mistake shows under the box in the parser's words (which part, what is wrong) and is not sent.
 */
import { useEffect, useId, useState } from 'react';
import { Filter, X } from 'lucide-react';
import type { FieldTypes } from '../../../../shared/filter';
import { checkFilterText } from './query';

export function FilterInput({
  value,
  types,
  onApply,
}: {
  /** The filter applied now (from the URL). */
  value: string;
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
      <div className="rf-box">
        <Filter size={15} aria-hidden="true" className="rf-icon" />
        <input
          className="rf-input"
          aria-label="Filter records (JSON)"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-err` : undefined}
          placeholder={`Filter, e.g. {"${example}":{"$like":"%news%"}}  — Enter applies  ( / )`}
          spellCheck={false}
          value={text}
          data-testid="records-filter"
          data-shortcut="filter"
          onChange={(e) => {
            setText(e.target.value);
            if (error) setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              apply(e.currentTarget.value);
            } else if (e.key === 'Escape' && text) {
              e.preventDefault();
              setText('');
              apply('');
            }
          }}
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
