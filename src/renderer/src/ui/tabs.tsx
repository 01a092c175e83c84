/**
 * A strip of tabs (WAI-ARIA tabs): the chosen one is in the tab order, arrows move to the next or previous
 * (wrapping), Home and End to the first and last; moving selects.
 */
import { useRef, type KeyboardEvent } from 'react';

export function TabStrip<T extends string>({
  label,
  tabs,
  value,
  onSelect,
  idOf,
  panelOf,
}: {
  /** The tab list's accessible name. */
  label: string;
  tabs: readonly { id: T; label: string }[];
  value: T;
  onSelect: (id: T) => void;
  /** The tab button's element id. */
  idOf: (id: T) => string;
  /** The element id of the panel the tab controls. */
  panelOf: (id: T) => string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const moves: Record<string, number> = {
      ArrowRight: i + 1,
      ArrowLeft: i - 1,
      Home: 0,
      End: tabs.length - 1,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const next = (moves[e.key]! + tabs.length) % tabs.length;
    onSelect(tabs[next]!.id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={idOf(t.id)}
          aria-selected={value === t.id}
          aria-controls={panelOf(t.id)}
          tabIndex={value === t.id ? 0 : -1}
          className="tab"
          onClick={() => onSelect(t.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
