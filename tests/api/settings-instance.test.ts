import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/main/api';
import { instanceSettings, type InstanceConfig } from '../../src/main/api/instance-settings';
import type { SettingsControl } from '../../src/main/api/routes/settings';
import { Auth } from '../../src/main/auth';
import { Tokens } from '../../src/main/auth/tokens';
import { Store } from '../../src/main/store';
import { ADMIN_EMAIL, ADMIN_PASSWORD, cleanup, Client, tempDir, userClient } from '../helpers/server';

// GET/PATCH /api/v1/settings with the instance's limits, heartbeat and retention. The REST API
// runs on a real HTTP server with a real store; scale-out is a stand-in (its own tests use Redis).

const dir = tempDir('sb-settings-instance-');
let store: Store;
let http: Server;
let admin: Client;
const config: InstanceConfig = {
  bodyLimit: 512 * 1024,
  accessTtlS: 900,
  retainEvents: 100_000,
  retainMs: 7 * 86_400_000,
  realtime: { pingEveryMs: 1000, maxSubscriptions: 7 },
};
const scaleOut: SettingsControl = {
  status: () => ({ redis_url: null, source: null, state: 'off', editable: true }),
  set: () => Promise.reject(new Error('not in this test')),
};

beforeAll(async () => {
  store = new Store(dir);
  const tokens = await Tokens.open(dir, 3600);
  const auth = new Auth(store, tokens);
  await auth.ensureSuperuser(
    { SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL, SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD },
    () => {},
  );
  const realtime = { stats: async () => ({}), presence: async () => ({ users: [] }) };
  const api = createApi({
    store,
    auth,
    bodyLimit: config.bodyLimit,
    info: { version: 'test', startedAt: new Date(), realtime },
    scaleOut,
    instance: instanceSettings(config, store),
  });
  http = createServer((req, res) => void api(req, res, new URL(req.url!, 'http://x'), 'trace', () => {}));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  admin = new Client(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  await admin.login();
});
afterAll(async () => {
  await new Promise((r) => http?.close(r));
  store?.close();
  cleanup(dir);
});

describe('instance settings', () => {
  it('shows limits and heartbeat (next start) and retention (live) with their values', async () => {
    const r = await admin.get('/api/v1/settings');
    expect(r.status).toBe(200);
    expect(r.body.scale_out).toEqual(scaleOut.status());
    expect(r.body.limits).toMatchObject({
      body_bytes: { value: 512 * 1024, applies: 'next_start' },
      access_token_ttl_s: { value: 900, applies: 'next_start' },
      max_message_bytes: { value: 64 * 1024, applies: 'next_start' },
      max_subscriptions: { value: 7, applies: 'next_start' },
      max_connections: { value: 20_000, applies: 'next_start' },
      max_connections_per_user: { value: 50, applies: 'next_start' },
      max_buffered_bytes: { value: 4 * 1024 * 1024, applies: 'next_start' },
    });
    expect(r.body.heartbeat).toEqual({
      ping_every_ms: { value: 1000, applies: 'next_start' },
      dead_after_ms: { value: 90_000, applies: 'next_start' },
      sweep_every_ms: { value: 60_000, applies: 'next_start' },
    });
    expect(r.body.retention).toEqual({
      max_events: { value: 100_000, applies: 'live' },
      max_age_ms: { value: 7 * 86_400_000, applies: 'live' },
    });
  });

  it('validates retention and names each bad value; limits are refused as start-up settings', async () => {
    const cases: [unknown, Record<string, string>][] = [
      [5, { retention: 'expected an object {max_events?, max_age_ms?}' }],
      [{ max_events: 10 }, { 'retention.max_events': 'must be from 100 to 100000000' }],
      [
        { max_events: 1.5, max_age_ms: '1d' },
        {
          'retention.max_events': 'expected a whole number, got 1.5',
          'retention.max_age_ms': 'expected a whole number, got "1d"',
        },
      ],
      [{ keep: 1 }, { 'retention.keep': 'unknown (use max_events, max_age_ms)' }],
    ];
    for (const [retention, details] of cases) {
      const r = await admin.patch('/api/v1/settings', { retention });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.details).toEqual(details);
    }
    const lim = await admin.patch('/api/v1/settings', { limits: { max_connections: 5 }, redis: 'x' });
    expect(lim.body.error.details).toEqual({
      limits: "applies at the next start: set it with the server's start-up options",
      redis: 'is not a setting (settable: redis_url, retention)',
    });
    expect((await admin.get('/api/v1/settings')).body.retention.max_events.value).toBe(100_000);
  });

  it('applies retention at once (the log is trimmed now), keeps it across a restart, superuser only', async () => {
    const editor = await userClient(admin, 'settings-editor@test.local', 'admin', 'tenant');
    await admin.post('/api/v1/collections', { name: 'ev', fields: [{ name: 't', type: 'text' }] });
    const batch = await admin.post('/api/v1/collections/ev/records/batch', {
      records: Array(150).fill({ t: 'x' }),
    });
    expect(batch.status).toBe(201);
    expect(store.events.lastSeq() - store.events.oldestSeq() + 1).toBeGreaterThan(150);
    expect((await editor.get('/api/v1/settings')).status).toBe(403);
    expect((await editor.patch('/api/v1/settings', { retention: { max_events: 100 } })).status).toBe(403);
    const r = await admin.patch('/api/v1/settings', {
      retention: { max_events: 100, max_age_ms: 3_600_000 },
    });
    expect(r.status).toBe(200);
    expect(r.body.retention).toEqual({
      max_events: { value: 100, applies: 'live' },
      max_age_ms: { value: 3_600_000, applies: 'live' },
    });
    // The server's retention loop reads the same config object.
    expect(config.retainEvents).toBe(100);
    expect(store.events.lastSeq() - store.events.oldestSeq() + 1).toBeLessThanOrEqual(100);
    // A restart with the start-up values keeps the saved ones.
    const next: InstanceConfig = { ...config, retainEvents: 100_000, retainMs: 86_400_000 };
    expect(instanceSettings(next, store).view().retention.max_events.value).toBe(100);
    expect(next.retainMs).toBe(3_600_000);
  });
});
