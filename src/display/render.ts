/**
 * Draws records into the display's stage, keyed by id: a record that enters fades in, one that
 * changes is patched in place (and flashes), one that leaves fades out, and nothing else is
 * touched. Writes only (no layout reads in loops), so a low-end screen never thrashes.
 */
import type { DisplayConfig, DisplayLayout } from '../shared/displays';
import type { RecordData } from '../shared/schema';

/** How many records each layout keeps on screen (the live window's size). */
export const WINDOW: Record<DisplayLayout, number> = { list: 40, cards: 24, ticker: 30, rotate: 100 };

// note: as long as the CSS transitions (display.css, --t).
const LEAVE_MS = 450;

/** A field's value as text a screen can show. */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'string') {
    // note: an ISO date-time reads better as local date and time.
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) {
      const d = new Date(v);
      if (!Number.isNaN(d.getTime()))
        return d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    }
    return v;
  }
  if (typeof v === 'number') return v.toLocaleString();
  return JSON.stringify(v);
}

const imageUrl = (v: unknown): string | undefined =>
  typeof v === 'string' && /^(https?:\/\/|\/|data:image\/)/i.test(v) ? v : undefined;

interface Item {
  el: HTMLElement;
  sig: string;
}

/** The stage for one layout; `update` with each new list, `destroy` when the layout changes. */
export class Stage {
  private readonly items = new Map<string, Item>();
  private readonly list: HTMLElement;
  private rotateTimer: ReturnType<typeof setInterval> | undefined;
  private current = 0;
  private order: string[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly cfg: DisplayConfig,
  ) {
    this.list = document.createElement(cfg.layout === 'ticker' ? 'div' : 'ul');
    this.list.className = `stage stage-${cfg.layout}`;
    this.list.setAttribute('data-testid', 'stage');
    root.append(this.list);
    if (cfg.layout === 'rotate')
      this.rotateTimer = setInterval(() => this.advance(), Math.max(2, cfg.rotate_seconds) * 1000);
  }

  update(records: readonly RecordData[]): void {
    const shown = records.slice(0, WINDOW[this.cfg.layout]);
    const keep = new Set(shown.map((r) => r.id));
    for (const [id, item] of this.items) if (!keep.has(id)) this.leave(id, item);
    let prev: HTMLElement | null = null;
    for (const r of shown) {
      let item = this.items.get(r.id);
      const sig = this.signature(r);
      if (!item) {
        item = { el: this.build(r), sig };
        item.el.classList.add('enter');
        this.items.set(r.id, item);
        const el = item.el;
        requestAnimationFrame(() => requestAnimationFrame(() => el.classList.remove('enter')));
      } else if (item.sig !== sig) {
        const fresh = this.build(r);
        item.el.replaceChildren(...fresh.childNodes);
        item.sig = sig;
        flash(item.el);
      }
      // Keep DOM order = list order, moving only what is out of place.
      const want: ChildNode | null = prev ? prev.nextSibling : this.list.firstChild;
      if (want !== item.el) this.list.insertBefore(item.el, want);
      prev = item.el;
    }
    this.order = shown.map((r) => r.id);
    if (this.cfg.layout === 'rotate') this.showCurrent(false);
    if (this.cfg.layout === 'ticker') this.retime();
  }

  destroy(): void {
    clearInterval(this.rotateTimer);
    this.list.remove();
    this.items.clear();
  }

  private signature(r: RecordData): string {
    const c = this.cfg;
    return JSON.stringify([
      r[c.title_field ?? ''],
      r[c.body_field ?? ''],
      r[c.image_field ?? ''],
      r[c.footer_field ?? ''],
    ]);
  }

  private build(r: RecordData): HTMLElement {
    const c = this.cfg;
    const el = document.createElement(this.cfg.layout === 'ticker' ? 'span' : 'li');
    el.className = 'item';
    el.dataset.id = r.id;
    el.setAttribute('data-testid', 'display-item');
    const img = c.image_field ? imageUrl(r[c.image_field]) : undefined;
    if (img && this.cfg.layout !== 'ticker') {
      const i = document.createElement('img');
      i.className = 'item-image';
      i.alt = '';
      i.decoding = 'async';
      i.loading = 'lazy';
      i.src = img;
      el.append(i);
    }
    const part = (cls: string, field: string | null) => {
      if (!field) return;
      const v = text(r[field]);
      if (!v) return;
      const p = document.createElement(cls === 'item-title' ? 'strong' : 'span');
      p.className = cls;
      p.textContent = v;
      el.append(p);
    };
    part('item-title', c.title_field ?? 'id');
    if (this.cfg.layout !== 'ticker') part('item-body', c.body_field);
    part('item-footer', c.footer_field);
    return el;
  }

  private leave(id: string, item: Item): void {
    this.items.delete(id);
    item.el.classList.add('leave');
    item.el.removeAttribute('data-testid');
    setTimeout(() => item.el.remove(), LEAVE_MS);
  }

  private advance(): void {
    if (this.order.length === 0) return;
    this.current = (this.current + 1) % this.order.length;
    this.showCurrent(true);
  }

  /** Rotate: exactly one record is `.current`; the others wait hidden (same DOM, no rebuild). */
  private showCurrent(moved: boolean): void {
    if (this.current >= this.order.length) this.current = 0;
    const id = this.order[this.current];
    for (const [key, item] of this.items) item.el.classList.toggle('current', key === id);
    this.root.dataset.position = this.order.length ? `${this.current + 1}/${this.order.length}` : '';
    if (moved) this.root.dataset.rotatedAt = String(Date.now());
  }

  /** Ticker: a constant reading speed whatever the content's length. */
  private retime(): void {
    const width = this.list.scrollWidth;
    // note: ~120 px per second reads comfortably from a distance; one read per content change.
    this.list.style.setProperty('--ticker-s', `${Math.max(10, Math.round(width / 120))}s`);
  }
}

function flash(el: HTMLElement): void {
  el.classList.remove('changed');
  // note: restarting a CSS animation needs a style flush; one per changed record, not per frame.
  void el.offsetWidth;
  el.classList.add('changed');
}
