import type { Client } from '../helpers/server';
import { is, openWs, wsUrl, type Frame, type WsClient } from '../helpers/ws';
import { createCollection, uniq } from '../api/support';

/** A collection every signed-in caller can write and anyone can read. */
export async function openCollection(admin: Client, view: unknown = 'public'): Promise<string> {
  const name = uniq('mon');
  await createCollection(admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'published', type: 'bool' },
    ],
    rules: { list: 'public', view, create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

/** Creates `count` records with `workers` writers in parallel. */
export async function fill(admin: Client, name: string, count: number, workers = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const i = next++;
        const r = await admin.post(`/api/v1/collections/${name}/records`, { title: `r${i}`, n: i });
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }),
  );
}

/** One bulk update of every record of `name`: one event per record. */
export async function touchAll(admin: Client, name: string, n: number): Promise<number> {
  const r = await admin.patch(`/api/v1/collections/${name}/records?filter=${encodeURIComponent('{}')}`, {
    n,
  });
  if (r.status !== 200) throw new Error(`bulk update failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.updated as number;
}

/** A monitor watcher, past its snapshot. */
export async function watcher(base: string, token: string): Promise<WsClient & { snapshot: Frame }> {
  const m = await openWs(wsUrl(base, '/api/v1/monitor', token));
  const snapshot = await m.next(is('snapshot'));
  return Object.assign(m, { snapshot });
}

/** Seqs of the summaries of `name` in every `events` batch received so far. */
export function seqsOf(frames: Frame[], name: string): number[] {
  const out: number[] = [];
  for (const f of frames)
    if (f.type === 'events') for (const e of f.data.events) if (e.collection === name) out.push(e.seq);
  return out;
}
