/** How the instance settings read: a label for each key and its value in units (bytes, ms, counts). */

const LABELS: Record<string, string> = {
  body_bytes: 'Request body',
  access_token_ttl_s: 'Access token lifetime',
  max_message_bytes: 'Realtime message',
  max_connections: 'Connections',
  max_anonymous_per_address: 'Anonymous connections per address',
  max_subscriptions_per_connection: 'Subscriptions per connection',
  max_buffered_bytes: 'Send buffer per connection',
  ping_every_ms: 'Ping every',
  dead_after_ms: 'Dead after',
  sweep_every_ms: 'Sweep every',
  max_events: 'Events kept',
  max_age_ms: 'Kept for',
};

/** `max_buffered_bytes` -> "Send buffer per connection" (or the key in words when unknown). */
export function settingLabel(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/_(ms|s|bytes)$/, '').replace(/_/g, ' ');
  return words[0]!.toUpperCase() + words.slice(1);
}

/** A duration in ms in the largest unit that keeps it whole-ish: 30 s, 5 min, 7 days. */
export function formatMs(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % (size / 10) === 0) {
      const n = ms / size;
      const plural = name === 'day' || name === 'hour' ? (n === 1 ? name : `${name}s`) : name;
      return `${Number(n.toFixed(1)).toLocaleString()} ${plural}`;
    }
  }
  return `${ms.toLocaleString()} ms`;
}

/** Bytes as KiB/MiB. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / 1024 / 1024).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n.toLocaleString()} bytes`;
}

/** A setting's value by its key's unit suffix. */
export function formatSetting(key: string, value: number): string {
  if (key.endsWith('_ms')) return formatMs(value);
  if (key.endsWith('_s')) return formatMs(value * 1000);
  if (key.endsWith('_bytes')) return formatBytes(value);
  return value.toLocaleString();
}

/** Units the retention age may be typed in. */
export const AGE_UNITS = [
  { value: '60000', label: 'minutes' },
  { value: '3600000', label: 'hours' },
  { value: '86400000', label: 'days' },
] as const;

/** The largest unit that divides `ms` exactly, and the count in it (for the age input). */
export function splitAge(ms: number): { amount: string; unit: string } {
  for (const u of [...AGE_UNITS].reverse()) {
    const size = Number(u.value);
    if (ms % size === 0) return { amount: String(ms / size), unit: u.value };
  }
  return { amount: String(ms / 60_000), unit: '60000' };
}
