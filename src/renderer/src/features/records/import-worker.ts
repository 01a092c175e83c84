/**
 * Parses an import file off the main thread (papaparse for CSV, JSON.parse for JSON), keeps the rows, and
 * turns them into record bodies once the columns are mapped.
 *
 * In: `{type:'parse', file}` then `{type:'convert', mapping, types}`.
 * Out: `{type:'parsed', headers, count, sample, format}`, `{type:'records', records}` or `{type:'error', message}`.
 */
import Papa from 'papaparse';
import { toRecords, type Mapping } from './import-plan';
import type { FieldType } from '../../../../shared/schema';

type In =
  { type: 'parse'; file: File } | { type: 'convert'; mapping: Mapping; types: Record<string, FieldType> };

let headers: string[] = [];
let rows: (string[] | Record<string, unknown>)[] = [];

const post = (m: unknown) => (self as unknown as Worker).postMessage(m);

async function parse(file: File): Promise<void> {
  if (/\.json$/i.test(file.name) || file.type === 'application/json') {
    const data: unknown = JSON.parse(await file.text());
    const list = Array.isArray(data) ? data : (data as { items?: unknown })?.items;
    if (!Array.isArray(list) || !list.every((x) => x && typeof x === 'object' && !Array.isArray(x)))
      throw new Error('A JSON import must be an array of objects (one per record).');
    const keys = new Set<string>();
    for (const r of list.slice(0, 1000)) for (const k of Object.keys(r as object)) keys.add(k);
    headers = [...keys];
    rows = list as Record<string, unknown>[];
    post({
      type: 'parsed',
      headers,
      count: rows.length,
      sample: rows
        .slice(0, 3)
        .map((r) => headers.map((h) => JSON.stringify((r as Record<string, unknown>)[h] ?? ''))),
      format: 'json',
    });
    return;
  }
  const result = await new Promise<Papa.ParseResult<string[]>>((resolve, reject) =>
    Papa.parse<string[]>(file, { skipEmptyLines: 'greedy', complete: resolve, error: reject }),
  );
  const [head, ...body] = result.data;
  if (!head) throw new Error('The file is empty.');
  headers = head.map((h) => h.trim());
  rows = body;
  post({ type: 'parsed', headers, count: rows.length, sample: body.slice(0, 3), format: 'csv' });
}

self.onmessage = (e: MessageEvent<In>) => {
  const m = e.data;
  if (m.type === 'parse')
    parse(m.file).catch((err: unknown) =>
      post({ type: 'error', message: (err as Error).message ?? String(err) }),
    );
  else if (m.type === 'convert')
    post({ type: 'records', records: toRecords(rows, headers, m.mapping, m.types) });
};
