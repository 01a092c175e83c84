/**
 * The filter editor itself (CodeMirror 6): JSON highlighting, completion of field names, operators and
 * `@user.*` (filter-language.ts), and the shared parser's error as an inline lint diagnostic on each
 * change. Loaded lazily through filter-editor.tsx, so CodeMirror stays out of the initial bundle. As a
 * one-line box (`onSubmit`), Enter submits, Esc calls `onEscape`, and line breaks become spaces.
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
import { Compartment, EditorState, Prec, type Extension, type Transaction } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { FilterEditorProps, Handoff } from './filter-editor';
import {
  checkFilterText,
  completionsFor,
  contextAt,
  filterFieldTypes,
  matchCompletions,
  type FilterUse,
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
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--mono)', fontSize: 'var(--fs-sm)' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li': { padding: '3px 10px', lineHeight: 1.4 },
  '.cm-tooltip-autocomplete ul li[aria-selected]': {
    backgroundColor: 'var(--accent)',
    color: 'var(--accent-text)',
  },
  '.cm-completionDetail': { color: 'inherit', opacity: 0.75, marginLeft: '0.75em', fontStyle: 'normal' },
  '.cm-placeholder': { color: 'var(--muted)' },
});

/** Turns the line breaks a change brings into spaces (a one-line box; JSON reads them alike). */
const oneLine = EditorState.transactionFilter.of((tr: Transaction) => {
  if (!tr.docChanged || tr.newDoc.lines === 1) return tr;
  const breaks = [];
  for (let n = 2; n <= tr.newDoc.lines; n++) {
    const at = tr.newDoc.line(n).from - 1;
    breaks.push({ from: at, to: at + 1, insert: ' ' });
  }
  return [tr, { changes: breaks, sequential: true }];
});

function diagnostics(text: string, fields: FilterEditorProps['fields'], use: FilterUse): Diagnostic[] {
  const p = checkFilterText(text, filterFieldTypes(fields), use);
  return p ? [{ from: p.from, to: Math.max(p.to, p.from), severity: 'error', message: p.message }] : [];
}

export default function FilterEditorImpl({
  value,
  onChange,
  fields,
  label,
  describedBy,
  invalid,
  testId,
  placeholder,
  onSubmit,
  onEscape,
  shortcut,
  userRefs,
  allowEmpty,
  handoff,
}: FilterEditorProps & { handoff?: Handoff }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const use: FilterUse = { userRefs, allowEmpty };
  const props = useRef({ onChange, fields, onSubmit, onEscape, use });
  props.current = { onChange, fields, onSubmit, onEscape, use };
  const attrs = useRef(new Compartment());
  const line = !!onSubmit;

  useEffect(() => {
    const complete = (ctx: CompletionContext): CompletionResult | null => {
      const text = ctx.state.doc.toString();
      const { context, from } = contextAt(text, ctx.pos);
      if (from === ctx.pos && !ctx.explicit) return null;
      const options = matchCompletions(
        completionsFor(context, props.current.fields, props.current.use),
        text.slice(from, ctx.pos),
      );
      if (!options.length) return null;
      // Replace the closing quote closeBrackets put after the cursor, too.
      const to = text[from] === '"' && text[ctx.pos] === '"' ? ctx.pos + 1 : ctx.pos;
      // note: the typed word includes its quote, which CodeMirror's own matching would not find in a label.
      return { from, to, options, filter: false };
    };
    const lint = (v: EditorView): Diagnostic[] =>
      diagnostics(v.state.doc.toString(), props.current.fields, props.current.use);
    // Enter and Esc of a one-line box; the completion list, when open, takes them first (its keymap is
    // of highest precedence).
    const box: Extension = line
      ? [
          oneLine,
          Prec.high(
            keymap.of([
              {
                key: 'Enter',
                run: (v) => {
                  props.current.onSubmit?.(v.state.doc.toString());
                  return true;
                },
              },
              {
                key: 'Escape',
                run: () => {
                  props.current.onEscape?.();
                  return true;
                },
              },
            ]),
          ),
        ]
      : lintGutter();
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
          // note: no type icons: CodeMirror draws them with emoji a kiosk-grade font may lack.
          autocompletion({ override: [complete], activateOnTyping: true, icons: false }),
          linter(lint, { delay: 150 }),
          box,
          placeholderExt(placeholder ?? '{"owner": "@user.id"}'),
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
    if (handoff?.focused) {
      v.focus();
      const at = Math.min(handoff.caret || v.state.doc.length, v.state.doc.length);
      v.dispatch({ selection: { anchor: at } });
    }
    return () => {
      v.destroy();
      view.current = null;
    };
    // note: created once; later `value` changes from outside are applied below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const a: Record<string, string> = {
      'aria-label': label,
      'aria-multiline': String(!line),
      role: 'textbox',
    };
    if (describedBy) a['aria-describedby'] = describedBy;
    if (invalid) a['aria-invalid'] = 'true';
    if (testId) a['data-testid'] = testId;
    if (shortcut) a['data-shortcut'] = shortcut;
    v.dispatch({ effects: attrs.current.reconfigure(EditorView.contentAttributes.of(a)) });
  }, [label, describedBy, invalid, testId, shortcut, line]);

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
    v.dispatch(setDiagnostics(v.state, diagnostics(v.state.doc.toString(), fields, props.current.use)));
  }, [fields]);

  return <div ref={host} className={line ? 'filter-editor filter-editor-line' : 'filter-editor'} />;
}
