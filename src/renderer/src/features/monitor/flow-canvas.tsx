/**
 * The Flow view's canvas: one requestAnimationFrame loop that drains what arrived since the last frame
 * into pulses, lays the nodes out again at most four times a second (once a second when nothing new
 * came), and draws only when something moved. A hidden page gets no frames, so it draws nothing. With
 * reduced motion asked for, the edges change but no pulse travels.
 */
import { useEffect, useRef, type RefObject } from 'react';
import { setQuery } from '../../store/route';
import { connectionAt, draw, heightFor, layout, Pulses, readColors, type FlowLayout } from './flow-draw';
import { flow, type FlowWindow } from './flow-model';
import { collectionLabel, connectionLabel, onNames, writerLabel } from './flow-names';

// note: a layout is a sum over ten 1 s buckets: cheap, but not for every frame at 2,000 events/s.
const RELAYOUT_MS = 250;
const AGE_MS = 1000;

export function FlowCanvas({
  paused,
  frozen,
  events,
}: {
  paused: boolean;
  /** The window to hold still while paused. */
  frozen: RefObject<FlowWindow | null>;
  /** Events in the window (for the text alternative's label). */
  events: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const lay = useRef<FlowLayout | null>(null);
  const pausedRef = useRef(paused);
  const dirty = useRef(true);
  if (pausedRef.current !== paused) {
    pausedRef.current = paused;
    dirty.current = true;
  }

  useEffect(() => {
    const el = canvas.current!;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    const pulses = new Pulses();
    let colors = readColors(el);
    let laidAt = -Infinity;
    let laidVersion = -1;
    let drewPulses = false;
    let raf = 0;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)');

    const relayout = (now: number) => {
      const w = (pausedRef.current ? frozen.current : null) ?? flow.window(now);
      const width = box.current?.clientWidth ?? 600;
      const height = heightFor(w);
      const dpr = window.devicePixelRatio || 1;
      if (el.width !== Math.round(width * dpr) || el.height !== Math.round(height * dpr)) {
        el.width = Math.round(width * dpr);
        el.height = Math.round(height * dpr);
        el.style.height = `${height}px`;
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      lay.current = layout(ctx, w, width, height, {
        writer: (n) => writerLabel(n.key, n.others),
        collection: (n) => collectionLabel(n.key, n.others),
        connection: (n) => connectionLabel(n.key, n.others),
      });
      laidAt = now;
      laidVersion = flow.version;
      dirty.current = false;
    };

    const frame = (now: number) => {
      raf = requestAnimationFrame(frame);
      const held = pausedRef.current;
      const fresh = flow.drain();
      if (held || still.matches) pulses.clear();
      else if (fresh.writes.size || fresh.edges.size) pulses.add(fresh, now);
      pulses.age(now);
      const since = now - laidAt;
      const stale =
        dirty.current || (!held && ((flow.version !== laidVersion && since > RELAYOUT_MS) || since > AGE_MS));
      if (stale) relayout(now);
      // Nothing moved: leave the canvas as it is.
      if (!stale && pulses.size === 0 && !drewPulses) return;
      drewPulses = pulses.size > 0;
      draw(ctx, lay.current!, colors, pulses, now);
    };
    raf = requestAnimationFrame(frame);

    const restyle = () => {
      colors = readColors(el);
      dirty.current = true;
    };
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', restyle);
    const theme = new MutationObserver(restyle);
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    const resize = new ResizeObserver(() => void (dirty.current = true));
    if (box.current) resize.observe(box.current);
    const offNames = onNames(() => void (dirty.current = true));
    return () => {
      offNames();
      cancelAnimationFrame(raf);
      media.removeEventListener('change', restyle);
      theme.disconnect();
      resize.disconnect();
    };
  }, [frozen]);

  return (
    <div ref={box} className="flow-canvas">
      <canvas
        ref={canvas}
        role="img"
        aria-label={`Flow of the last 10 seconds: ${events} events from writers through collections to connections. The tables below list the same numbers.`}
        onClick={(e) => {
          const l = lay.current;
          if (!l) return;
          const r = e.currentTarget.getBoundingClientRect();
          const id = connectionAt(l, e.clientX - r.left, e.clientY - r.top);
          if (id) setQuery({ tab: 'connections', conn: id });
        }}
        onMouseMove={(e) => {
          const l = lay.current;
          if (!l) return;
          const r = e.currentTarget.getBoundingClientRect();
          e.currentTarget.style.cursor = connectionAt(l, e.clientX - r.left, e.clientY - r.top)
            ? 'pointer'
            : 'default';
        }}
      />
    </div>
  );
}
