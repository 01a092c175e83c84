import type { ServerResponse } from 'node:http';
import type { Collection, FieldType, RecordData } from '../../../shared/schema';
import { AppError } from '../../errors';
import type { Store } from '../../store';
import { fieldTypes } from '../../store/collections';
import { parseListParams, project } from '../list-query';
import { reply, type Router } from '../router';
import { access, recordQuery } from './record-helpers';

// note: 500 rows per query keeps each page's read well under a millisecond's lock and each chunk a few hundred KiB.
const PAGE = 500;

const FORMATS = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;
type Format = keyof typeof FORMATS;

/** One CSV cell (RFC 4180): json fields as JSON text, null as an empty cell, the empty string as `""`. */
export function csvCell(type: FieldType, v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = type === 'json' ? JSON.stringify(v) : String(v);
  if (s === '') return '""';
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Resolves once the socket wants more (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * `GET /api/v1/collections/{name}/records/export?format=csv|json&filter=&sort=&select=`: every
 * record the caller may list (the list endpoint's rules, account scope, filter and sort),
 * streamed page by page with a keyset scan and the socket's backpressure; memory stays one
 * page whatever the collection's size. Not a snapshot: each page reads the data of its moment
 * (with the default order, by creation, a record present throughout appears exactly once).
 */
export function exportRoutes(router: Router, store: Store): void {
  router.on('GET', '/api/v1/collections/:name/records/export', async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'list');
    const params = ctx.url.searchParams;
    const format = (params.get('format') ?? 'json') as Format;
    if (!Object.hasOwn(FORMATS, format))
      throw new AppError(400, 'bad_request', `'format' must be csv or json, got '${params.get('format')}'.`);
    const q = parseListParams(params, fieldTypes(c));
    const query = recordQuery(ctx.principal, [rule, q.filter]);
    const columns = exportColumns(c, q.select);

    const res = ctx.res;
    const day = new Date().toISOString().slice(0, 10);
    res.writeHead(200, {
      'content-type': FORMATS[format],
      'content-disposition': `attachment; filename="${c.name}-${day}.${format}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    if (ctx.req.method === 'HEAD') {
      res.end();
      return reply(200);
    }
    let closed = false;
    res.on('close', () => (closed = true));
    const write = async (chunk: string): Promise<void> => {
      if (!res.write(chunk)) await drained(res);
    };

    await write(format === 'csv' ? columns.map((k) => csvCell('text', k.name)).join(',') + '\r\n' : '[');
    let after: unknown[] | undefined;
    let first = true;
    do {
      const page = store.records.scan(c, query, q.sort, PAGE, after);
      after = page.next;
      if (page.items.length === 0) break;
      const rows = page.items.map((r) =>
        format === 'csv' ? csvRow(columns, r) : JSON.stringify(project(r, q.select)),
      );
      const chunk = format === 'csv' ? rows.join('') : (first ? '\n' : ',\n') + rows.join(',\n');
      first = false;
      await write(chunk);
    } while (after && !closed);
    if (!closed) res.end(format === 'csv' ? '' : first ? ']\n' : '\n]\n');
    return reply(200);
  });
}

/** The CSV columns: id, created_at, updated_at and the fields (or `id` and the selected ones). */
function exportColumns(c: Collection, select: string[] | undefined): { name: string; type: FieldType }[] {
  const types = fieldTypes(c);
  const names = select
    ? ['id', ...select.filter((s) => s !== 'id')]
    : ['id', 'created_at', 'updated_at', ...c.fields.map((f) => f.name)];
  return names.map((name) => ({ name, type: types[name]! }));
}

function csvRow(columns: { name: string; type: FieldType }[], r: RecordData): string {
  return columns.map((k) => csvCell(k.type, r[k.name])).join(',') + '\r\n';
}
