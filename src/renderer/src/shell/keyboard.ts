/**
 * Global shortcuts: `/` focuses the current screen's filter or search (the input marked
 * `data-shortcut="filter"`, an input or a code editor), unless the user is typing somewhere.
 */
export function startShortcuts(): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector('dialog[open]')) return;
    const input = document.querySelector<HTMLElement>('main [data-shortcut="filter"]');
    if (!input) return;
    e.preventDefault();
    input.focus();
    // An input selects its text; a code editor (contenteditable) takes a DOM selection of its content.
    if (input instanceof HTMLInputElement) input.select();
    else if (input.isContentEditable) getSelection()?.selectAllChildren(input);
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
