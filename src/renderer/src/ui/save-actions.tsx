/**
 * The foot of a form saved as a whole (a collection's schema, its rules): what comes first (e.g. "Add
 * field"), then "Unsaved changes" while there are, Discard and Save. Save is the form's submit button.
 */
import type { ReactNode } from 'react';
import { RotateCcw, Save } from 'lucide-react';
import { Button } from './button';

export function SaveActions({
  dirty,
  busy,
  onDiscard,
  saveLabel,
  children,
}: {
  dirty: boolean;
  busy: boolean;
  onDiscard: () => void;
  /** e.g. "Save schema". */
  saveLabel: string;
  /** Buttons before the rest, at the start of the row. */
  children?: ReactNode;
}) {
  return (
    <div className="schema-actions">
      {children}
      <span className="push-start" />
      {dirty && <span className="muted">Unsaved changes</span>}
      <Button icon={<RotateCcw size={16} aria-hidden="true" />} disabled={!dirty || busy} onClick={onDiscard}>
        Discard
      </Button>
      <Button
        type="submit"
        variant="primary"
        icon={<Save size={16} aria-hidden="true" />}
        busy={busy}
        disabled={!dirty}
      >
        {saveLabel}
      </Button>
    </div>
  );
}
