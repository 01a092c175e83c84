/**
 * Creating or editing a display: which collection, which fields make title, body, image and footer, a
 * filter and sort, the layout, theme, text size and safe margin. Editing shows the display itself live
 * beside the form (an iframe of its page): a saved change appears there, as on every screen.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  DISPLAY_FONT_SIZES,
  DISPLAY_LAYOUTS,
  defaultDisplayConfig,
  type Display,
  type DisplayConfig,
} from '../../../../shared/displays';
import { useAppStore } from '../../store';
import type { ResourceError } from '../../store/resource';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { FormError, SelectField, TextField } from '../../ui/field';
import { createDisplay, updateDisplay } from './actions';

const LAYOUT_LABELS: Record<string, string> = {
  list: 'List',
  cards: 'Cards',
  ticker: 'Ticker (one line crawling)',
  rotate: 'One at a time, rotating',
};
const SIZE_LABELS: Record<string, string> = {
  m: 'M — desk, ~1 m',
  l: 'L — room, ~3 m',
  xl: 'XL — hall, ~5 m',
  xxl: 'XXL — across a venue, ~8 m',
};

export function DisplayDialog({
  open,
  display,
  onClose,
}: {
  open: boolean;
  /** The display to edit; none to create one. */
  display?: Display;
  onClose: () => void;
}) {
  const collections = useAppStore(useShallow((s) => s.collections.list.data ?? []));
  const [name, setName] = useState('');
  const [collection, setCollection] = useState('');
  const [cfg, setCfg] = useState<DisplayConfig>(defaultDisplayConfig());
  const [filterText, setFilterText] = useState('');
  const [error, setError] = useState<ResourceError | null>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fieldsOf = (c: string) => collections.find((x) => x.name === c)?.fields ?? [];

  useEffect(() => {
    if (!open) return;
    setError(null);
    setFilterError(null);
    if (display) {
      setName(display.name);
      setCollection(display.collection);
      setCfg(display.config);
      setFilterText(display.config.filter ? JSON.stringify(display.config.filter) : '');
    } else {
      const first = collections[0]?.name ?? '';
      setName('');
      setCollection(first);
      setCfg(defaultDisplayConfig(fieldsOf(first)));
      setFilterText('');
    }
  }, [open, display?.id]);

  const fieldOptions = useMemo(
    () => [
      { value: '', label: '— none —' },
      ...fieldsOf(collection)
        .filter((f) => f.type !== 'json')
        .map((f) => ({ value: f.name, label: `${f.name} (${f.type})` })),
      { value: 'created_at', label: 'created_at (date)' },
      { value: 'updated_at', label: 'updated_at (date)' },
    ],
    [collection, collections],
  );
  const set = <K extends keyof DisplayConfig>(k: K, v: DisplayConfig[K]) => setCfg((c) => ({ ...c, [k]: v }));
  const slot = (k: 'title_field' | 'body_field' | 'image_field' | 'footer_field', label: string) => (
    <SelectField
      label={label}
      options={fieldOptions}
      value={cfg[k] ?? ''}
      onChange={(e) => set(k, e.target.value || null)}
      error={fields[`config.${k}`]}
    />
  );

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    let filter: Record<string, unknown> | null = null;
    if (filterText.trim()) {
      try {
        filter = JSON.parse(filterText) as Record<string, unknown>;
      } catch {
        setFilterError('Write the filter as JSON, e.g. {"published": true}.');
        return;
      }
    }
    setFilterError(null);
    setBusy(true);
    const config = { ...cfg, filter, sort: cfg.sort?.trim() || null };
    const r = display
      ? await updateDisplay(display.id, { name: name.trim(), config })
      : await createDisplay({ name: name.trim(), collection, config });
    setBusy(false);
    if (r.ok) onClose();
    else setError(r.error);
  };

  const fields = error?.fields ?? {};
  const known = Object.keys(fields).some(
    (f) => f === 'name' || f === 'collection' || f.startsWith('config.'),
  );
  const title = display ? `Edit ${display.name}` : 'New display';
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      size="lg"
      testId="display-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="display-form" variant="primary" busy={busy}>
            {display ? 'Save' : 'Create display'}
          </Button>
        </>
      }
    >
      <div className={display?.url ? 'display-edit with-preview' : 'display-edit'}>
        <form id="display-form" className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <div className="form-row">
            <TextField
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={fields.name}
              hint="e.g. Lobby screen"
              autoComplete="off"
            />
            <SelectField
              label="Collection"
              options={collections.map((c) => ({ value: c.name, label: c.name }))}
              value={collection}
              disabled={!!display}
              onChange={(e) => {
                setCollection(e.target.value);
                setCfg((c) => ({
                  ...defaultDisplayConfig(fieldsOf(e.target.value)),
                  layout: c.layout,
                  theme: c.theme,
                }));
              }}
              error={fields.collection}
            />
          </div>
          <div className="form-row">
            {slot('title_field', 'Title')}
            {slot('body_field', 'Body')}
          </div>
          <div className="form-row">
            {slot('image_field', 'Image (a URL field)')}
            {slot('footer_field', 'Footer')}
          </div>
          <div className="form-row">
            <TextField
              label="Filter"
              value={filterText}
              onChange={(e) => setFilterText(e.target.value)}
              error={filterError ?? fields['config.filter']}
              hint='JSON, e.g. {"published": true}; empty shows every record'
              className="mono"
              spellCheck={false}
            />
            <TextField
              label="Sort"
              value={cfg.sort ?? ''}
              onChange={(e) => set('sort', e.target.value)}
              error={fields['config.sort']}
              hint="e.g. -created_at or rank,title"
            />
          </div>
          <div className="form-row">
            <SelectField
              label="Layout"
              options={DISPLAY_LAYOUTS.map((l) => ({ value: l, label: LAYOUT_LABELS[l]! }))}
              value={cfg.layout}
              onChange={(e) => set('layout', e.target.value as DisplayConfig['layout'])}
              error={fields['config.layout']}
            />
            {cfg.layout === 'rotate' ? (
              <TextField
                label="Seconds per record"
                type="number"
                min={2}
                max={600}
                value={String(cfg.rotate_seconds)}
                onChange={(e) => set('rotate_seconds', Number(e.target.value))}
                error={fields['config.rotate_seconds']}
              />
            ) : (
              <TextField
                label="When nothing matches"
                value={cfg.empty_message}
                onChange={(e) => set('empty_message', e.target.value)}
                error={fields['config.empty_message']}
              />
            )}
          </div>
          <div className="form-row">
            <SelectField
              label="Theme"
              options={[
                { value: 'dark', label: 'Dark' },
                { value: 'light', label: 'Light' },
              ]}
              value={cfg.theme}
              onChange={(e) => set('theme', e.target.value as DisplayConfig['theme'])}
            />
            <SelectField
              label="Text size"
              options={DISPLAY_FONT_SIZES.map((s) => ({ value: s, label: SIZE_LABELS[s]! }))}
              value={cfg.font_size}
              onChange={(e) => set('font_size', e.target.value as DisplayConfig['font_size'])}
            />
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={cfg.safe_margin}
              onChange={(e) => set('safe_margin', e.target.checked)}
            />
            5% safe margin (for TVs that cut the edges)
          </label>
          <FormError>{error && !known ? error.message : null}</FormError>
        </form>
        {display?.url && (
          <figure className="display-preview">
            <iframe
              src={display.url}
              title={`Live preview of ${display.name}`}
              data-testid="display-preview"
            />
            <figcaption className="muted">Live: saved changes appear here as on every screen.</figcaption>
          </figure>
        )}
      </div>
    </Dialog>
  );
}
