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

/**
 * A list screen's body from its loaded list: the error (with Retry) while nothing has come yet, loading,
 * `empty` (the next step), "no match" when a search hides every row, else `children` with the list. The
 * last good list stays on screen while a reload runs or fails.
 */
export function ListBody<T>({
  list,
  what,
  onRetry,
  empty,
  search,
  children,
}: {
  list: { status: string; data: readonly T[] | null; error: { message: string } | null };
  /** What the list holds, plural, in the middle of a sentence: "API keys", "users". */
  what: string;
  onRetry: () => void;
  /** Shown when the list is empty: an EmptyState that says what to do first. */
  empty: ReactNode;
  /** How many rows the search left and the title to show when none: `No key matches “lobby”`. */
  search?: { matches: number; noMatch: string };
  children: (data: readonly T[]) => ReactNode;
}) {
  if (list.status === 'error' && !list.data) {
    return <ErrorState title={`Could not load ${what}`} message={list.error!.message} onRetry={onRetry} />;
  }
  if (!list.data) return <LoadingState label={`Loading ${what}…`} />;
  if (list.data.length === 0) return empty;
  if (search && search.matches === 0) {
    return <EmptyState title={search.noMatch}>Clear the search to see all {list.data.length}.</EmptyState>;
  }
  return children(list.data);
}
