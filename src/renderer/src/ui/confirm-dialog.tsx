/**
 * Asks before a destructive action and says what will be lost ("The user ann@… and their logins"); the
 * confirm button names the action. Shows the server's error if the action fails and stays open.
 */
import { useState, type ReactNode } from 'react';
import { Button } from './button';
import { Dialog } from './dialog';
import { FormError } from './field';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will be lost, in words: which item, how many records, what stops working. */
  consequence: ReactNode;
  /** The action, e.g. "Delete user". */
  confirmLabel: string;
  /** Runs the action; resolve an error message to keep the dialog open and show it. */
  onConfirm: () => Promise<string | null>;
  onClose: () => void;
}

export function ConfirmDialog({
  open,
  title,
  consequence,
  confirmLabel,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    const failure = await onConfirm();
    setBusy(false);
    if (failure) setError(failure);
    else close();
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={close}
      testId="confirm-dialog"
      footer={
        <>
          <Button onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="confirm-consequence">{consequence}</div>
      <FormError>{error}</FormError>
    </Dialog>
  );
}
