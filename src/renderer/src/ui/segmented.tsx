/** A row of toggle buttons of which one is on (aria-pressed): a view (Form or JSON), the theme. */
import type { ReactNode } from 'react';

/** One button of a `Segmented`. */
export interface SegmentedOption<T extends string> {
  value: T;
  /** What the button shows; an icon needs a `sr-only` label beside it. */
  content: ReactNode;
  title?: string;
}

/** The group: `value` is the button that is on; a click on another calls `onChange`. */
export function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  /** The group's accessible name, e.g. "View". */
  label: string;
  options: readonly SegmentedOption<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          className="segmented-item"
          aria-pressed={value === o.value}
          title={o.title}
          onClick={() => onChange(o.value)}
        >
          {o.content}
        </button>
      ))}
    </div>
  );
}
