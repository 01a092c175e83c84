/** The monitor's side panel for one thing (a connection, an event): a title, a Close button and a body. */
import type { ReactNode } from 'react';
import { X } from 'lucide-react';

export function DetailPanel({
  label,
  testId,
  title,
  onClose,
  children,
  dialogs,
}: {
  /** The panel's accessible name, e.g. "Event 12". */
  label: string;
  testId: string;
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  /** Dialogs the panel opens, kept outside its body. */
  dialogs?: ReactNode;
}) {
  return (
    <aside className="mon-panel" aria-label={label} data-testid={testId}>
      <header className="mon-panel-head">
        <h2>{title}</h2>
        <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
          <X size={18} aria-hidden="true" />
        </button>
      </header>
      <div className="mon-panel-body">{children}</div>
      {dialogs}
    </aside>
  );
}
