/** Where toasts appear: a polite live region in the corner. */
import { X } from 'lucide-react';
import { useAppStore } from '../store';
import { dismissToast } from '../store/toasts';

export function Toaster() {
  const items = useAppStore((s) => s.toasts.items);
  return (
    <div className="toaster" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} data-testid="toast">
          <span>{t.message}</span>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            <X size={14} aria-hidden="true" />
          </button>
        </div>
      ))}
    </div>
  );
}
