import { describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { createCollection, uniq, useServer, withQuery } from './support';

// Streamed export: every record the caller may list, as CSV or a JSON array.

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;

/** A small RFC 4180 reader: rows of cells, quoted cells unescaped; `null` for an empty unquoted cell. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let cell: string | null;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          s += '"';
          i += 2;
        } else if (text[i] === '"') break;
        else s += text[i++];
      }
      i++;
      cell = s;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\r') j++;
      cell = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
    }
  }
  return rows;
}

async function download(token: string | undefined, path: string) {
  const res = await fetch(env.s.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Every record through the list endpoint, page by page. */
async function listAll(token: string | undefined, name: string, q: Record<string, string> = {}) {
  const out: Record<string, unknown>[] = [];
  for (let page = 1; ; page++) {
    const r = await fetch(env.s.url + withQuery(recs(name), { ...q, page, per_page: 500 }), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const body = (await r.json()) as { items: Record<string, unknown>[]; total_pages: number };
    out.push(...body.items);
    if (page >= body.total_pages) return out;
  }
}

const TRICKY = ['plain', 'a,b', 'say "hi"', 'two\nlines', ' padded ', '', 'é ✓ 😀', '=1+1'];

describe('export', () => {
  const name = uniq('ex');
  let tenantCount = 0;

  it('sets up 3,000 records in the default account and a few in another', async () => {
    await createCollection(env.admin, {
      name,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'ok', type: 'bool' },
        { name: 'meta', type: 'json' },
      ],
      rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
    });
    for (let b = 0; b < 3; b++) {
      const records = Array.from({ length: 1000 }, (_, k) => {
        const i = b * 1000 + k;
        return {
          title: i % 50 === 0 ? null : TRICKY[i % TRICKY.length],
          n: i,
          ok: i % 3 === 0,
          meta: i % 7 === 0 ? { i, tags: ['x', 'y,z'], q: 'a "b"' } : i % 11 === 0 ? 'text' : null,
        };
      });
      const r = await env.admin.post(`${recs(name)}/batch`, { records });
      expect(r.status).toBe(201);
    }
    const tenant = await userClient(env.admin, 'export-tenant@test.local', 'admin', 'tenant');
    const r = await tenant.post(`${recs(name)}/batch`, {
      records: [{ title: 'tenant a' }, { title: 'tenant b' }],
    });
    expect(r.status).toBe(201);
    tenantCount = 2;
  });

  it('streams a complete, correctly quoted CSV in list order', async () => {
    const r = await download(undefined, `${recs(name)}/export?format=csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="${name}-\\d{4}-\\d\\d-\\d\\d\\.csv"$`),
    );
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual(['id', 'created_at', 'updated_at', 'title', 'n', 'ok', 'meta']);
    const expected = await listAll(undefined, name);
    expect(expected).toHaveLength(3000);
    expect(rows).toHaveLength(3001);
    rows.slice(1).forEach((row, i) => {
      const e = expected[i]!;
      expect(row).toEqual([
        e.id,
        e.created_at,
        e.updated_at,
        e.title,
        String(e.n),
        String(e.ok),
        e.meta === null ? null : JSON.stringify(e.meta),
      ]);
    });
  });

  it('streams the same records as a JSON array, with filter and sort as the list has them', async () => {
    const all = await download(undefined, `${recs(name)}/export?format=json`);
    expect(all.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(all.text)).toEqual(await listAll(undefined, name));

    const q = { filter: { ok: true, n: { $gte: 1000 } }, sort: '-title,n' };
    const some = await download(undefined, withQuery(`${recs(name)}/export`, { format: 'json', ...q }));
    const got = JSON.parse(some.text) as { n: number }[];
    const want = await listAll(undefined, name, { filter: JSON.stringify(q.filter), sort: q.sort });
    expect(got).toEqual(want);
    expect(got.length).toBe(666);
    const none = await download(undefined, withQuery(`${recs(name)}/export`, { filter: { n: -1 } }));
    expect(JSON.parse(none.text)).toEqual([]);
  });

  it('keeps accounts apart: the superuser exports every account, others their own', async () => {
    const su = JSON.parse((await download(env.admin.token, `${recs(name)}/export`)).text) as unknown[];
    expect(su).toHaveLength(3000 + tenantCount);
    const tenant = await userClient(env.admin, 'export-tenant-2@test.local', 'editor', 'tenant');
    const t = JSON.parse((await download(tenant.token, `${recs(name)}/export`)).text) as { title: string }[];
    expect(t.map((x) => x.title)).toEqual(['tenant a', 'tenant b']);
  });

  it('answers bad parameters and refused callers with the usual errors', async () => {
    const bad = await env.admin.get(`${recs(name)}/export?format=xml`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("'format' must be csv or json, got 'xml'.");
    expect((await env.admin.get(`${recs(name)}/export?filter={"nope":1}`)).body.error.code).toBe(
      'invalid_filter',
    );
    const secret = uniq('sec');
    await createCollection(env.admin, { name: secret, fields: [{ name: 'x', type: 'text' }] });
    expect((await env.anon.get(`/api/v1/collections/${secret}/records/export`)).status).toBe(401);
  });
});
