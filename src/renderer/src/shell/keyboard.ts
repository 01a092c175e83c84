/**
 * Global shortcuts: `/` focuses the current screen's filter or search (the input marked
 * `data-shortcut="filter"`), unless the user is typing somewhere.
 */
export function startShortcuts(): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector('dialog[open]')) return;
    const input = document.querySelector<HTMLInputElement>('main [data-shortcut="filter"]');
    if (!input) return;
    e.preventDefault();
    input.focus();
    input.select();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
