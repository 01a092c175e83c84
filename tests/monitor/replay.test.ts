import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer, userClient, type Client } from '../helpers/server';
import { closeAll, event, native, subscribed, type Frame, type WsClient } from '../helpers/ws';
import { createCollection, lastSeq, uniq, useServer } from '../api/support';
import { closeAll as closeDialects, open, wsUrl as dialectUrl, type Ws } from '../dialects/util';
import { openCollection, touchAll } from './support';

const env = useServer();
afterEach(async () => {
  await closeAll();
  await closeDialects();
});

const REPLAY = '/api/v1/monitor/replay';
let n = 0;
const user = (role: 'editor' | 'admin', account?: string) =>
  userClient(env.admin, `mon-replay-${++n}@test.local`, role, account);

/** Writes A, B (published, small n), C (published, n too big for the filter), D (unpublished), then one elsewhere. */
async function writeRange(name: string, elsewhere: string) {
  const from = (await lastSeq(env.admin)) + 1;
  const ids: string[] = [];
  for (const body of [
    { title: 'A', n: 1, published: true },
    { title: 'B', n: 2, published: true },
    { title: 'C', n: 500, published: true },
    { title: 'D', n: 4, published: false },
  ]) {
    const r = await env.admin.post(`/api/v1/collections/${name}/records`, body);
    expect(r.status).toBe(201);
    ids.push(r.body.id as string);
  }
  expect((await env.admin.post(`/api/v1/collections/${elsewhere}/records`, { title: 'E' })).status).toBe(201);
  return { from, to: from + 4, ids };
}

/** The connection id of the one connection of `dialect` subscribed to `collection`. */
async function connectionOf(dialect: string, collection: string): Promise<string> {
  const r = await env.admin.get('/api/v1/monitor/connections');
  const found = (r.body.connections as Frame[]).filter(
    (c) =>
      c.dialect === dialect && (c.subscription_details as Frame[]).some((s) => s.collection === collection),
  );
  expect(found).toHaveLength(1);
  return found[0]!.id as string;
}

/** Takes `count` frames the client has (live or replayed), in order. */
async function take(c: WsClient | Ws, count: number, pred: (f: Frame) => boolean = () => true) {
  const out: Frame[] = [];
  for (let i = 0; i < count; i++) out.push(await c.next(pred));
  return out;
}

describe('POST /api/v1/monitor/replay', () => {
  it('replays a range to a native client: its live frames again, in seq order, without seq; filtered and rule-denied events are counted', async () => {
    const name = await openCollection(env.admin, { published: true });
    const elsewhere = await openCollection(env.admin);
    const editor = await user('editor');
    // An admin sees unpublished records; its filter leaves out C.
    const filtered = await native(env.s.url, { token: env.admin.token });
    await subscribed(filtered, { collection: name, filter: { n: { $lt: 100 } } });
    // An editor is held to the view rule: D is not for it.
    const ruled = await native(env.s.url, { token: editor.token });
    await subscribed(ruled, { collection: name });
    const { from, to, ids } = await writeRange(name, elsewhere);
    const liveFiltered = await take(filtered, 3, event());
    const liveRuled = await take(ruled, 3, event());
    expect(liveFiltered.map((f) => f.data.record_id)).toEqual([ids[0], ids[1], ids[3]]);
    expect(liveRuled.map((f) => f.data.record_id)).toEqual([ids[0], ids[1], ids[2]]);

    const r = await env.admin.post(REPLAY, { connection: filtered.connectionId, from_seq: from, to_seq: to });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({
      connection: filtered.connectionId,
      instance: 'local',
      dialect: 'native',
      from_seq: from,
      to_seq: to,
      events: 5,
      sent: 3,
      delivered: 3,
      skipped: { rule: 0, filter: 1, not_subscribed: 1, other: 0 },
    });
    const again = await take(filtered, 3, event());
    // The same frames as live, minus the seq (a replay moves no resume cursor).
    const unsequenced = (f: Frame) => {
      const { seq: _seq, ...rest } = f.data as Frame;
      return { ...f, data: rest };
    };
    expect(again).toEqual(liveFiltered.map(unsequenced));
    for (const f of again) expect(f.data).not.toHaveProperty('seq');
    expect(again.map((f) => f.data.match)).toEqual(['enter', 'enter', 'enter']);

    const r2 = await env.admin.post(REPLAY, { connection: ruled.connectionId, from_seq: from, to_seq: to });
    expect(r2.body).toMatchObject({
      events: 5,
      sent: 3,
      delivered: 3,
      skipped: { rule: 1, filter: 0, not_subscribed: 1, other: 0 },
    });
    expect(await take(ruled, 3, event())).toEqual(liveRuled.map(unsequenced));
    expect(filtered.pending(event())).toEqual([]);
    expect(ruled.pending(event())).toEqual([]);
  });

  it("replays to a FastSchema client in FastSchema's format, and to a SnackBase client in SnackBase's", async () => {
    const name = await openCollection(env.admin, { published: true });
    const elsewhere = await openCollection(env.admin);
    // Anonymous: the view rule keeps D from it.
    const fs = await open(dialectUrl(env.s.url, `/api/realtime/content?schema=${name}`));
    const snack = await open(dialectUrl(env.s.url, `/api/v1/realtime/ws?token=${env.admin.token}`));
    snack.send({ action: 'subscribe', collection: name });
    await snack.next((f) => f.type === 'subscribed');
    const fsId = await connectionOf('fastschema', name);
    const snackId = await connectionOf('snackbase', name);
    const { from, to, ids } = await writeRange(name, elsewhere);
    const liveFs = await take(fs, 3);
    expect(liveFs.map((f) => f.data.id)).toEqual([ids[0], ids[1], ids[2]]);
    const isRecord = (f: Frame) => f.type === `${name}.create`;
    const liveSnack = await take(snack, 4, isRecord);

    const r = await env.admin.post(REPLAY, { connection: fsId, from_seq: from, to_seq: to });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      dialect: 'fastschema',
      sent: 3,
      skipped: { rule: 1, filter: 0, not_subscribed: 1, other: 0 },
    });
    const replayed = await take(fs, 3);
    expect(replayed).toEqual(liveFs);
    expect(replayed[0]).toEqual({ event: 'create', data: expect.objectContaining({ title: 'A' }) });

    const s = await env.admin.post(REPLAY, { connection: snackId, from_seq: from, to_seq: to });
    expect(s.body).toMatchObject({ dialect: 'snackbase', sent: 4, delivered: 4 });
    const snackAgain = await take(snack, 4, isRecord);
    expect(snackAgain.map((f) => f.data.title)).toEqual(['A', 'B', 'C', 'D']);
    expect(snackAgain.map((f) => f.data)).toEqual(liveSnack.map((f) => f.data));
  });

  it("replays a FastSchema client's bulk update as live: the write's records joined in one message", async () => {
    const name = await openCollection(env.admin);
    const fs = await open(dialectUrl(env.s.url, `/api/realtime/content?schema=${name}&event=update`));
    // The echo proves the subscription is registered.
    fs.send('ready?');
    await fs.next();
    const fsId = await connectionOf('fastschema', name);
    for (const title of ['A', 'B'])
      expect((await env.admin.post(`/api/v1/collections/${name}/records`, { title })).status).toBe(201);
    const from = (await lastSeq(env.admin)) + 1;
    expect(await touchAll(env.admin, name, 7)).toBe(2);
    const to = await lastSeq(env.admin);
    const [live] = await take(fs, 1);
    expect(live).toMatchObject({ event: 'update', data: [{ n: 7 }, { n: 7 }] });

    const r = await env.admin.post(REPLAY, { connection: fsId, from_seq: from, to_seq: to });
    expect(r.body).toMatchObject({ dialect: 'fastschema', events: 2, sent: 2, delivered: 2 });
    expect(await take(fs, 1)).toEqual([live]);
    fs.send('after');
    // One message, nothing more before the echo.
    expect(await fs.next()).toEqual({ raw: 'after' });
  });

  it('refuses bad input with a 4xx that says what is wrong', async () => {
    const name = await openCollection(env.admin);
    const c = await native(env.s.url);
    await subscribed(c, { collection: name });
    const last = await lastSeq(env.admin);
    const post = (body: unknown, as: Client = env.admin) => as.post(REPLAY, body);
    const refused = async (body: unknown, status: number, code: string, message: string, as?: Client) => {
      const r = await post(body, as);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error).toMatchObject({ code, message });
    };
    const id = c.connectionId;
    await refused(
      { connection: id, from_seq: 5, to_seq: 3 },
      400,
      'bad_request',
      "'from_seq' (5) is after 'to_seq' (3).",
    );
    await refused(
      { connection: id, from_seq: 1, to_seq: 1001 },
      400,
      'bad_request',
      'A replay reads at most 1,000 events; seqs 1–1001 are 1,001. Replay it in parts.',
    );
    await refused(
      { connection: id, from_seq: 1, to_seq: last + 1 },
      400,
      'bad_request',
      `Seq ${last + 1} is beyond the event log: the last seq is ${last}.`,
    );
    await refused(
      { connection: id, from_seq: 0, to_seq: 1 },
      400,
      'bad_request',
      "'from_seq' must be a seq (an integer from 1), got 0.",
    );
    await refused(
      { connection: id, from_seq: '1', to_seq: 1 },
      400,
      'bad_request',
      `'from_seq' must be a seq (an integer from 1), got "1".`,
    );
    await refused({ from_seq: 1, to_seq: 1 }, 400, 'bad_request', "'connection' must be a connection id.");
    await refused({ connection: 'nope', from_seq: 1, to_seq: 1 }, 404, 'not_found', "No connection 'nope'.");
    // Another account's admin: the connection does not exist for it.
    const other = await user('admin', 'acct_replay_b');
    await refused(
      { connection: id, from_seq: 1, to_seq: 1 },
      404,
      'not_found',
      `No connection '${id}'.`,
      other,
    );
    expect((await post({ connection: id, from_seq: 1, to_seq: 1 }, await user('editor'))).status).toBe(403);
    expect((await post({ connection: id, from_seq: 1, to_seq: 1 }, env.anon)).status).toBe(401);
    expect(c.pending(event())).toEqual([]);
  });

  it("an account's admin replays into its own account's connection; other accounts' events are not counted", async () => {
    const name = await openCollection(env.admin);
    const b = await user('admin', 'acct_replay_c');
    const inB = await native(env.s.url, { token: b.token });
    await subscribed(inB, { collection: name });
    const from = (await lastSeq(env.admin)) + 1;
    expect((await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'default' })).status).toBe(
      201,
    );
    expect((await b.post(`/api/v1/collections/${name}/records`, { title: 'mine' })).status).toBe(201);
    const live = await inB.next(event('record.created'));
    const r = await b.post(REPLAY, { connection: inB.connectionId, from_seq: from, to_seq: from + 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      events: 1,
      sent: 1,
      skipped: { rule: 0, filter: 0, not_subscribed: 0, other: 0 },
    });
    expect((await inB.next(event('record.created'))).data.data).toEqual(live.data.data);
  });
});

describe('GET /api/v1/monitor/history and a trimmed log', () => {
  it('says what the log holds; a replay from before it is 410 with the retained range', async () => {
    const s = await startServer();
    const admin = await adminClient(s);
    const name = uniq('hist');
    await createCollection(admin, { name, fields: [{ name: 't', type: 'text' }], rules: { view: 'public' } });
    for (let i = 0; i < 5; i++) await admin.post(`/api/v1/collections/${name}/records`, { t: String(i) });
    const full = (await admin.get('/api/v1/monitor/history')).body;
    expect(full).toEqual({
      oldest_seq: 1,
      last_seq: 6,
      oldest_at: expect.stringMatching(/Z$/),
      last_at: expect.stringMatching(/Z$/),
      trimmed: false,
    });
    await s.stop({ keepData: true });
    // note: retention runs at start, so a restart with a smaller log trims it at once.
    const again = await startServer({ dataDir: s.dataDir, retainEvents: 2 });
    try {
      const c = await adminClient(again);
      const h = (await c.get('/api/v1/monitor/history')).body;
      expect(h).toMatchObject({ oldest_seq: 5, last_seq: 6, trimmed: true });
      expect(h.last_at).toBe(full.last_at);
      const conn = await native(again.url);
      await subscribed(conn, { collection: name });
      const r = await c.post(REPLAY, { connection: conn.connectionId, from_seq: 3, to_seq: 6 });
      expect(r.status).toBe(410);
      expect(r.body.error).toEqual({
        code: 'resume_gap',
        message: 'Seq 3 is no longer retained: the event log holds seqs 5–6.',
        details: { oldest_seq: 5, last_seq: 6 },
      });
      const ok = await c.post(REPLAY, { connection: conn.connectionId, from_seq: 5, to_seq: 6 });
      expect(ok.body).toMatchObject({ events: 2, sent: 2 });
      const frames = await take(conn, 2, event('record.created'));
      expect(frames.map((f) => f.data.data.t)).toEqual(['3', '4']);
    } finally {
      await again.stop();
    }
  });
});
