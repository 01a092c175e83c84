/**
 * One frame in a list of frames, as in DevTools' WebSocket panel: direction arrow, text, size, time to the
 * ms. A click opens it (the caller shows the tree) or closes it again.
 */
import type { ReactNode } from 'react';
import { clockMs } from './format';

export function FrameRow({
  direction,
  arrow,
  text,
  size,
  at,
  open,
  onToggle,
  testId,
}: {
  /** Picks the row's colour: `mon-frame-in`, `mon-frame-out`, `mon-frame-info`. */
  direction: string;
  /** The direction's icon, labelled for screen readers. */
  arrow: ReactNode;
  text: string;
  size: ReactNode;
  at: number;
  open: boolean;
  onToggle: () => void;
  testId: string;
}) {
  return (
    <button
      type="button"
      role="listitem"
      className={`mon-frame mon-frame-${direction}${open ? ' mon-open' : ''}`}
      onClick={onToggle}
      data-testid={testId}
      data-direction={direction}
    >
      {arrow}
      <span className="mon-frame-text">{text}</span>
      <span className="mon-num">{size}</span>
      <span className="mon-mono">{clockMs(at)}</span>
    </button>
  );
}
