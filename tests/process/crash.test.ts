import { describe, expect, it } from 'vitest';
import { cleanup, Client, exited, spawnServer, tempDir } from '../helpers/server';

describe('crash safety', () => {
  it('loses no acknowledged write and leaves no event without its record after SIGKILL mid-stream', async () => {
    const dir = tempDir();
    const s = await spawnServer(dir);
    const acked: string[] = [];
    try {
      const admin = new Client(s.url);
      await admin.login();
      await admin.post('/api/v1/collections', {
        name: 'stream',
        fields: [{ name: 'i', type: 'number', required: true }],
        rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
      });
      let i = 0;
      let stop = false;
      // note: 4 concurrent writers, bounded to 2,000 writes or until the kill.
      const writer = async () => {
        while (!stop && i < 2000) {
          const n = i++;
          try {
            const r = await admin.post('/api/v1/collections/stream/records', { i: n });
            if (r.status === 201) acked.push(r.body.id);
          } catch {
            return; // the connection died with the server: this write was never acknowledged
          }
        }
      };
      const writers = Promise.all([writer(), writer(), writer(), writer()]);
      await new Promise((r) => setTimeout(r, 1500));
      s.proc.kill('SIGKILL');
      stop = true;
      await writers;
      await exited(s.proc);
    } finally {
      s.proc.kill('SIGKILL');
    }
    expect(acked.length).toBeGreaterThan(10);

    const again = await spawnServer(dir);
    try {
      const admin = new Client(again.url);
      await admin.login();
      const ids = new Set<string>();
      for (let page = 1; ; page++) {
        const r = await admin.get(`/api/v1/collections/stream/records?per_page=500&page=${page}`);
        for (const it of r.body.items) ids.add(it.id);
        if (page >= r.body.total_pages) break;
      }
      for (const id of acked) expect(ids.has(id), `acknowledged record ${id} is missing`).toBe(true);
      const evIds = new Set<string>();
      let since = 0;
      for (;;) {
        const r = await admin.get(`/api/v1/events?since=${since}&limit=1000`);
        for (const e of r.body.events) if (e.type === 'record.created') evIds.add(e.record_id);
        if (r.body.next_since === since) break;
        since = r.body.next_since;
      }
      // The outbox: exactly one created event per stored record, and none for a record that is not there.
      expect([...evIds].sort()).toEqual([...ids].sort());
    } finally {
      again.proc.kill('SIGTERM');
      await exited(again.proc);
      cleanup(dir);
    }
  });
});
