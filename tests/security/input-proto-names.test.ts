/** Object-prototype names sent to the real server: refused as unknown, never a 500 or a silent drop. */
import { afterEach, describe, expect, it } from 'vitest';
import { createCollection, uniq, useServer } from '../api/support';
import { closeAll, openWs, wsUrl } from '../helpers/ws';

const env = useServer();
afterEach(closeAll);

const PROTO = ['valueOf', 'toString', 'constructor', '__proto__', 'hasOwnProperty'];
const RULES = { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' };

describe('prototype names over the wire', () => {
  it('REST: sort, select, filter and record bodies', async () => {
    const name = uniq('proto');
    await createCollection(env.admin, { name, fields: [{ name: 'title', type: 'text' }], rules: RULES });
    const path = `/api/v1/collections/${name}/records`;
    for (const n of PROTO) {
      const sort = await env.anon.get(`${path}?sort=${n}`);
      expect([n, sort.status, sort.body.error]).toEqual([
        n,
        400,
        { code: 'bad_request', message: `Cannot sort by '${n}': no such field.` },
      ]);
      const select = await env.anon.get(`${path}?select=title,${n}`);
      expect([n, select.status]).toEqual([n, 400]);
      const filter = await env.anon.get(`${path}?filter=${encodeURIComponent(`{"${n}":"x"}`)}`);
      expect([n, filter.status, filter.body.error.code]).toEqual([n, 400, 'invalid_filter']);
      const body = await env.anon.req('POST', path, `{"title":"t","${n}":1}`);
      expect([n, body.status, body.body.error.code]).toEqual([n, 400, 'validation_failed']);
      expect(Object.hasOwn(body.body.error.details, n) && body.body.error.details[n]).toBe('unknown field');
    }
  });

  it('FastSchema: ?event=valueOf closes with invalid event', async () => {
    const name = uniq('proto');
    await createCollection(env.admin, { name, fields: [{ name: 'title', type: 'text' }], rules: RULES });
    for (const n of ['valueOf', '__proto__', 'constructor']) {
      const c = await openWs(wsUrl(env.s.url, `/api/realtime/content?schema=${name}&event=${n}`));
      expect(await c.waitClose()).toEqual({ code: 1000, reason: `realtime.content: invalid event '${n}'` });
    }
  });
});
