import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SwitchboardClient } from '../../src/shared/client';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from '../helpers/server';
import { uniq } from '../api/support';

let s: TestServer;
let sb: SwitchboardClient;

beforeAll(async () => {
  s = await startServer();
  sb = createClient({ url: s.url, WebSocket });
  await sb.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD);
});
afterAll(async () => {
  sb?.close();
  await s?.stop();
});

describe('SDK collection admin helpers: counts, rename, rule dry run', () => {
  it('lists counts, renames with name, and dry-runs a saved and an unsaved rule', async () => {
    const name = uniq('posts');
    await sb.admin.collections.create({
      name,
      fields: [{ name: 'owner', type: 'text' }],
      rules: { update: { owner: '@user.id' } },
    });
    const ann = await sb.admin.users.create({
      email: `${uniq('ann')}@x.test`,
      password: 'long-enough-1',
      role: 'editor',
    });
    const rec = await sb.records(name).create({ owner: ann.id });
    expect((await sb.admin.collections.list()).find((c) => c.name === name)?.count).toBe(1);

    const allowed = await sb.admin.collections.checkRule(name, {
      rule: 'update',
      as: { user_id: ann.id },
      record_id: rec.id,
    });
    expect(allowed).toMatchObject({ allowed: true, decided_by: { kind: 'filter' } });
    const denied = await sb.admin.collections.checkRule(name, {
      rule: 'update',
      as: { user_id: ann.id },
      record_id: rec.id,
      expression: { owner: 'someone-else' },
    });
    expect(denied).toMatchObject({
      allowed: false,
      decided_by: {
        kind: 'filter',
        clause: { expression: { owner: { $eq: 'someone-else' } }, value: false, actual: ann.id },
      },
    });
    expect(
      (
        await sb.admin.collections.checkRule(name, {
          rule: 'update',
          as: { anonymous: true },
          record_id: rec.id,
        })
      ).allowed,
    ).toBe(false);

    const renamed = await sb.admin.collections.update(name, { name: `${name}_2` });
    expect(renamed.name).toBe(`${name}_2`);
  });

  it('reads limits, heartbeat and retention and changes retention live', async () => {
    const before = await sb.admin.settings.get();
    expect(before.retention?.max_events.applies).toBe('live');
    expect(Object.values(before.limits ?? {}).every((v) => v.applies === 'next_start')).toBe(true);
    const after = await sb.admin.settings.patch({
      retention: { max_events: 5000, max_age_ms: 3 * 86_400_000 },
    });
    expect(after.retention).toMatchObject({
      max_events: { value: 5000 },
      max_age_ms: { value: 259_200_000 },
    });
  });
});
