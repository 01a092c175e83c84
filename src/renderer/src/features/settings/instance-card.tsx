/**
 * Limits, heartbeat and event retention with the server's values. Limits and heartbeat are start-up
 * options ("applies at next start"); retention applies live, so it is a form: how many events and how long
 * the log keeps them (what a reconnecting display can resume from).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { RETENTION_RANGE, type RetentionSettings, type SettingValue } from '../../../../shared/admin';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { FormError, SelectField, TextField } from '../../ui/field';
import { Badge, Card } from '../../ui/page';
import { saveRetention } from './actions';
import { AGE_UNITS, formatMs, formatSetting, settingLabel, splitAge } from './setting-format';

function Applies({ value }: { value: SettingValue }) {
  return value.applies === 'live' ? (
    <Badge tone="ok">applies live</Badge>
  ) : (
    <Badge tone="neutral">applies at next start</Badge>
  );
}

/** A card listing settings that change only with a restart. */
export function FixedSettingsCard({
  title,
  values,
  note,
  testId,
}: {
  title: string;
  values: Record<string, SettingValue>;
  note: string;
  testId: string;
}) {
  return (
    <Card title={title} testId={testId}>
      <dl className="facts settings-facts">
        {Object.entries(values).map(([k, v]) => (
          <div key={k} className="settings-fact">
            <dt>{settingLabel(k)}</dt>
            <dd>
              <span data-testid={`setting-${k}`}>{formatSetting(k, v.value)}</span> <Applies value={v} />
            </dd>
          </div>
        ))}
      </dl>
      <p className="field-hint">{note}</p>
    </Card>
  );
}

/** Retention: editable, applied at once (the log is trimmed now). */
export function RetentionCard({ retention }: { retention: RetentionSettings }) {
  const saving = useAppStore((s) => s.settings.savingRetention);
  const [events, setEvents] = useState('');
  const [age, setAge] = useState({ amount: '', unit: '86400000' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    setEvents(String(retention.max_events.value));
    setAge(splitAge(retention.max_age_ms.value));
  }, [retention.max_events.value, retention.max_age_ms.value]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const maxEvents = Number(events);
    const maxAgeMs = Math.round(Number(age.amount) * Number(age.unit));
    const local: Record<string, string> = {};
    const [e0, e1] = RETENTION_RANGE.max_events;
    const [a0, a1] = RETENTION_RANGE.max_age_ms;
    if (!Number.isInteger(maxEvents) || maxEvents < e0 || maxEvents > e1)
      local['retention.max_events'] = `a whole number from ${e0.toLocaleString()} to ${e1.toLocaleString()}`;
    if (!Number.isFinite(maxAgeMs) || maxAgeMs < a0 || maxAgeMs > a1)
      local['retention.max_age_ms'] = `from ${formatMs(a0)} to ${formatMs(a1)}`;
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    const r = await saveRetention({ max_events: maxEvents, max_age_ms: maxAgeMs });
    if (!r.ok) {
      setErrors(r.error.fields ?? {});
      setFormError(r.error.fields ? null : r.error.message);
    }
  };

  return (
    <Card title="Event retention" testId="retention">
      <p className="muted">
        The event log lets displays resume after a drop without missing anything. Changes apply at once and
        trim the log now.
      </p>
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <div className="form-row">
          <TextField
            label="Events kept"
            inputMode="numeric"
            value={events}
            onChange={(e) => setEvents(e.target.value)}
            error={errors['retention.max_events']}
            hint={
              <>
                Now {retention.max_events.value.toLocaleString()} · <Applies value={retention.max_events} />
              </>
            }
          />
          <div className="age-input">
            <TextField
              label="Kept for"
              inputMode="decimal"
              value={age.amount}
              onChange={(e) => setAge({ ...age, amount: e.target.value })}
              error={errors['retention.max_age_ms']}
              hint={
                <>
                  Now {formatMs(retention.max_age_ms.value)} · <Applies value={retention.max_age_ms} />
                </>
              }
            />
            <SelectField
              label="Unit"
              value={age.unit}
              onChange={(e) => setAge({ ...age, unit: e.target.value })}
              options={AGE_UNITS}
            />
          </div>
        </div>
        <FormError>{formError}</FormError>
        <div>
          <Button type="submit" variant="primary" busy={saving}>
            Save retention
          </Button>
        </div>
      </form>
    </Card>
  );
}
