/** The three states every screen has besides "ready": empty (with the next step), loading, error. */
import type { ReactNode } from 'react';
import { AlertTriangle } from 'lucide-react';
import { Button } from './button';
import { Spinner } from './spinner';

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon?: ReactNode;
  title: string;
  /** The next step, e.g. "Create a key for each kiosk." */
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      {icon && <div className="state-icon">{icon}</div>}
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-busy="true" data-testid="loading-state">
      <Spinner size={18} /> {label}
    </div>
  );
}

export function ErrorState({
  title,
  message,
  onRetry,
}: {
  title: string;
  message: string;
  onRetry?: () => void;
}) {
  return (
    <div className="state state-error" data-testid="error-state">
      <div className="state-icon">
        <AlertTriangle size={22} aria-hidden="true" />
      </div>
      <h3>{title}</h3>
      <p role="alert">{message}</p>
      {onRetry && <Button onClick={onRetry}>Retry</Button>}
    </div>
  );
}
