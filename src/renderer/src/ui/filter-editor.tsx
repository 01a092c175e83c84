/**
 * A filter editor for the filter language (rules, and the records table's filter): a small code editor with
 * completion of the collection's fields, operators and `@user.*`, and the shared parser's errors inline.
 * CodeMirror loads on first use (React.lazy), so it is not in the initial bundle, and only once the browser
 * is idle, so it does not compete with the screen's first data; until then a plain textarea (or, for a
 * one-line box, an input) stands in, and what is typed there carries over (text, focus, caret).
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { FieldDef } from '../../../shared/schema';
import type { FilterUse } from './filter-language';

export interface FilterEditorProps extends FilterUse {
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
  placeholder?: string;
  /**
   * A one-line box (the records filter): Enter calls this instead of starting a line, line breaks typed or
   * pasted become spaces, and there is no gutter.
   */
  onSubmit?: (text: string) => void;
  /** Esc in the box (after a completion list, if open, has been closed). */
  onEscape?: () => void;
  /** Marks the box for the `/` shortcut (`data-shortcut`). */
  shortcut?: string;
}

/** Focus and caret of the stand-in, handed to the editor when it replaces it. */
export interface Handoff {
  focused: boolean;
  caret: number;
}

/** The chunk has loaded once: later editors mount at once. */
let loaded = false;
const Impl = lazy(() =>
  import('./filter-editor-impl').then((m) => {
    loaded = true;
    return m;
  }),
);
// note: at most this long (ms) waiting for an idle moment before loading the editor anyway.
const IDLE_TIMEOUT_MS = 1000;

export function FilterEditor(props: FilterEditorProps) {
  const handoff = useRef<Handoff>({ focused: false, caret: 0 });
  const [ready, setReady] = useState(loaded);
  useEffect(() => {
    if (ready) return;
    const id = requestIdleCallback(() => setReady(true), { timeout: IDLE_TIMEOUT_MS });
    return () => cancelIdleCallback(id);
  }, [ready]);
  // A stand-in that replaces a focused one (idle -> loading) takes the focus and caret over.
  const takeOver = (el: HTMLInputElement | HTMLTextAreaElement | null) => {
    if (!el || !handoff.current.focused || document.activeElement === el) return;
    el.focus();
    el.setSelectionRange(handoff.current.caret, handoff.current.caret);
  };
  const track = {
    ref: takeOver,
    onFocus: () => (handoff.current.focused = true),
    // note: a blur from being removed (the editor arrived) is not the user leaving.
    onBlur: (e: React.FocusEvent<HTMLElement>) => {
      if (e.currentTarget.isConnected) handoff.current.focused = false;
    },
    onSelect: (e: React.SyntheticEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      (handoff.current.caret = e.currentTarget.selectionEnd ?? 0),
  };
  const common = {
    'aria-label': props.label,
    'aria-describedby': props.describedBy,
    'aria-invalid': props.invalid || undefined,
    'data-testid': props.testId,
    'data-shortcut': props.shortcut,
    placeholder: props.placeholder,
    value: props.value,
    spellCheck: false,
    ...track,
  };
  const fallback = props.onSubmit ? (
    <input
      className="filter-editor-fallback filter-editor-line"
      {...common}
      onChange={(e) => props.onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          props.onSubmit?.(e.currentTarget.value);
        } else if (e.key === 'Escape') {
          e.preventDefault();
          props.onEscape?.();
        }
      }}
    />
  ) : (
    <textarea
      className="filter-editor-fallback"
      {...common}
      onChange={(e) => props.onChange(e.target.value)}
      rows={3}
    />
  );
  if (!ready) return fallback;
  return (
    <Suspense fallback={fallback}>
      <Impl {...props} handoff={handoff.current} />
    </Suspense>
  );
}
