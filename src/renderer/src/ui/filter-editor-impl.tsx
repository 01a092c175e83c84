/**
 * The filter editor itself (CodeMirror 6): JSON highlighting, completion of field names, operators and
 * `@user.*` (filter-language.ts), and the shared parser's error as an inline lint diagnostic on each
 * change. Loaded lazily through filter-editor.tsx, so CodeMirror stays out of the initial bundle.
 */
import { useEffect, useRef } from 'react';
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { FilterEditorProps } from './filter-editor';
import {
  checkFilterText,
  completionsFor,
  contextAt,
  filterFieldTypes,
  matchCompletions,
} from './filter-language';

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--cm-key)' },
  { tag: tags.string, color: 'var(--cm-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--cm-literal)' },
  { tag: tags.punctuation, color: 'var(--muted)' },
]);

const theme = EditorView.theme({
  '&': { fontSize: 'var(--fs-md)', backgroundColor: 'var(--surface)', color: 'var(--text)' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '6px 0', caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', border: 'none', color: 'var(--muted)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-tooltip': {
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
    border: '1px solid var(--border-strong)',
    borderRadius: 'var(--radius-sm)',
  },
  '.cm-tooltip-autocomplete ul li[aria-selected]': {
    backgroundColor: 'var(--accent)',
    color: 'var(--accent-text)',
  },
  '.cm-completionDetail': { color: 'inherit', opacity: 0.75, marginLeft: '0.75em', fontStyle: 'normal' },
  '.cm-placeholder': { color: 'var(--muted)' },
});

export default function FilterEditorImpl({
  value,
  onChange,
  fields,
  label,
  describedBy,
  invalid,
  testId,
}: FilterEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const props = useRef({ onChange, fields });
  props.current = { onChange, fields };
  const attrs = useRef(new Compartment());

  useEffect(() => {
    const complete = (ctx: CompletionContext): CompletionResult | null => {
      const text = ctx.state.doc.toString();
      const { context, from } = contextAt(text, ctx.pos);
      if (from === ctx.pos && !ctx.explicit) return null;
      const options = matchCompletions(
        completionsFor(context, props.current.fields),
        text.slice(from, ctx.pos),
      );
      if (!options.length) return null;
      // Replace the closing quote closeBrackets put after the cursor, too.
      const to = text[from] === '"' && text[ctx.pos] === '"' ? ctx.pos + 1 : ctx.pos;
      // note: the typed word includes its quote, which CodeMirror's own matching would not find in a label.
      return { from, to, options, filter: false };
    };
    const lint = (v: EditorView): Diagnostic[] => {
      const text = v.state.doc.toString();
      const p = checkFilterText(text, filterFieldTypes(props.current.fields));
      return p ? [{ from: p.from, to: Math.max(p.to, p.from), severity: 'error', message: p.message }] : [];
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          json(),
          syntaxHighlighting(highlight),
          autocompletion({ override: [complete], activateOnTyping: true }),
          linter(lint, { delay: 150 }),
          lintGutter(),
          placeholderExt('{"owner": "@user.id"}'),
          keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
          EditorView.lineWrapping,
          theme,
          attrs.current.of(EditorView.contentAttributes.of({})),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) props.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // note: created once; later `value` changes from outside are applied below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const a: Record<string, string> = { 'aria-label': label, 'aria-multiline': 'true', role: 'textbox' };
    if (describedBy) a['aria-describedby'] = describedBy;
    if (invalid) a['aria-invalid'] = 'true';
    if (testId) a['data-testid'] = testId;
    v.dispatch({ effects: attrs.current.reconfigure(EditorView.contentAttributes.of(a)) });
  }, [label, describedBy, invalid, testId]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    // Fields changed (a schema save): re-lint with the new ones.
    const v = view.current;
    if (!v) return;
    const p = checkFilterText(v.state.doc.toString(), filterFieldTypes(fields));
    v.dispatch(
      setDiagnostics(
        v.state,
        p ? [{ from: p.from, to: Math.max(p.to, p.from), severity: 'error', message: p.message }] : [],
      ),
    );
  }, [fields]);

  return <div ref={host} className="filter-editor" />;
}
