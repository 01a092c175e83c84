/**
 * A filter editor for the filter language (rules, and the records table's filter later): a small code
 * editor with completion of the collection's fields, operators and `@user.*`, and the shared parser's
 * errors inline. CodeMirror loads on first use (React.lazy), so it is not in the initial bundle; until then
 * a plain textarea stands in.
 */
import { lazy, Suspense } from 'react';
import type { FieldDef } from '../../../shared/schema';

export interface FilterEditorProps {
  /** The filter as JSON text. */
  value: string;
  onChange: (text: string) => void;
  /** The collection's fields (names, types, select options); system fields are added. */
  fields: readonly Pick<FieldDef, 'name' | 'type' | 'options'>[];
  /** The accessible name, e.g. "Update rule filter". */
  label: string;
  /** Ids of the hint or error describing the editor. */
  describedBy?: string;
  invalid?: boolean;
  testId?: string;
}

const Impl = lazy(() => import('./filter-editor-impl'));

export function FilterEditor(props: FilterEditorProps) {
  return (
    <Suspense
      fallback={
        <textarea
          className="filter-editor-fallback"
          aria-label={props.label}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          rows={3}
          spellCheck={false}
        />
      }
    >
      <Impl {...props} />
    </Suspense>
  );
}
