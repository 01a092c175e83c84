/**
 * Each dialect's event encoder, byte for byte: given an event and a match kind, the exact frame
 * text a client receives (the hub sends an encoder's text as the WebSocket payload, or writes it
 * to the SSE response as is). FastSchema's encoder gives a record with its write, which its
 * transport joins into one message per write: the messages are pinned on the wire in wire.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { nativeSseEncoder } from '../sse';
import type { LiveEvent, Match } from '../types';
import { nativeEncoder } from './native';
import { fastschemaEncoder } from './fastschema-writes';
import { eventBody } from './snackbase';
import { sseFrame, sseSpec } from './snackbase-sse';
import { topicEncoder } from './topics';

const T = '2026-01-01T12:00:00.000Z';
const base = { seq: 7, collection: 'posts', record_id: 'r1', account: 'default', actor: 'u9', timestamp: T };
const created: LiveEvent = {
  ...base,
  trace_id: 't-1',
  type: 'record.created',
  data: { id: 'r1', title: 'A', n: 1 },
};
const updated: LiveEvent = {
  ...base,
  trace_id: 't-1',
  type: 'record.updated',
  data: { id: 'r1', title: 'B', n: 2 },
  previous: { id: 'r1', title: 'A', n: 1 },
};
// no trace_id, no actor: the native body leaves them out
const deleted: LiveEvent = {
  ...base,
  actor: undefined,
  type: 'record.deleted',
  data: { id: 'r1', title: 'B', n: 2 },
};
const joined: LiveEvent = { type: 'user.joined', account: 'default', timestamp: T, data: { user_id: 'u9' } };
const schema: LiveEvent = {
  seq: 8,
  type: 'collection.created',
  collection: 'posts',
  account: 'default',
  timestamp: T,
  data: { name: 'posts' },
};
const MATCHES: (Match | undefined)[] = [undefined, 'enter', 'stay', 'leave', 'hide'];

const A = '{"id":"r1","title":"A","n":1}';
const B = '{"id":"r1","title":"B","n":2}';
const tail = `"timestamp":"${T}","seq":7,"trace_id":"t-1","actor":"u9"`;

/** The native event body (`data` of a native frame, the data of a native SSE message). */
const nativeBodies: [string, LiveEvent, Match | undefined, string][] = [
  [
    'created',
    created,
    undefined,
    `{"type":"record.created","collection":"posts","record_id":"r1","data":${A},${tail}}`,
  ],
  [
    'created, entering a filter',
    created,
    'enter',
    `{"type":"record.created","collection":"posts","record_id":"r1","data":${A},${tail},"match":"enter"}`,
  ],
  [
    'updated',
    updated,
    undefined,
    `{"type":"record.updated","collection":"posts","record_id":"r1","data":${B},"previous":${A},${tail}}`,
  ],
  [
    'updated into the filter: no previous (the subscriber may not have seen it)',
    updated,
    'enter',
    `{"type":"record.updated","collection":"posts","record_id":"r1","data":${B},${tail},"match":"enter"}`,
  ],
  [
    'updated within the filter',
    updated,
    'stay',
    `{"type":"record.updated","collection":"posts","record_id":"r1","data":${B},"previous":${A},${tail},"match":"stay"}`,
  ],
  [
    'updated out of the filter',
    updated,
    'leave',
    `{"type":"record.updated","collection":"posts","record_id":"r1","data":${B},"previous":${A},${tail},"match":"leave"}`,
  ],
  [
    "updated out of the subscriber's sight: as it was, said as leave",
    updated,
    'hide',
    `{"type":"record.updated","collection":"posts","record_id":"r1","data":${A},${tail},"match":"leave"}`,
  ],
  [
    'deleted, without trace or actor',
    deleted,
    'leave',
    `{"type":"record.deleted","collection":"posts","record_id":"r1","data":${B},"timestamp":"${T}","seq":7,"match":"leave"}`,
  ],
  [
    'presence: no seq',
    joined,
    undefined,
    `{"type":"user.joined","data":{"user_id":"u9"},"timestamp":"${T}"}`,
  ],
  [
    'schema',
    schema,
    undefined,
    `{"type":"collection.created","collection":"posts","data":{"name":"posts"},"timestamp":"${T}","seq":8}`,
  ],
];

describe('native encoder', () => {
  it.each(nativeBodies)('%s', (_what, ev, match, body) => {
    expect(nativeEncoder(undefined)(ev, match)).toBe(`{"type":"event","data":${body},"timestamp":"${T}"}`);
  });

  it('select projects data and previous (id kept), nothing else', () => {
    expect(nativeEncoder(['title'])(updated, 'stay')).toBe(
      `{"type":"event","data":{"type":"record.updated","collection":"posts","record_id":"r1","data":{"id":"r1","title":"B"},"previous":{"id":"r1","title":"A"},${tail},"match":"stay"},"timestamp":"${T}"}`,
    );
    expect(nativeEncoder(['title'])(schema, undefined)).toBe(nativeEncoder(undefined)(schema, undefined));
  });
});

describe('native SSE encoder', () => {
  it.each(nativeBodies)('%s', (_what, ev, match, body) => {
    const id = ev.seq === undefined ? '' : `id: ${ev.seq}\n`;
    expect(nativeSseEncoder(undefined)(ev, match)).toBe(`${id}event: ${ev.type}\ndata: ${body}\n\n`);
  });

  it('select projects the record', () => {
    expect(nativeSseEncoder(['n'])(created, undefined)).toBe(
      `id: 7\nevent: record.created\ndata: {"type":"record.created","collection":"posts","record_id":"r1","data":{"id":"r1","n":1},${tail}}\n\n`,
    );
  });
});

describe('SnackBase encoders (WebSocket message, SSE frame)', () => {
  const messages: [LiveEvent, string][] = [
    [created, `{"type":"posts.create","timestamp":"${T}","data":${A}}`],
    [updated, `{"type":"posts.update","timestamp":"${T}","data":${B}}`],
    [deleted, `{"type":"posts.delete","timestamp":"${T}","data":${B}}`],
  ];

  it.each(messages)('%j: the same message whatever the match', (ev, message) => {
    for (const m of MATCHES) {
      expect(eventBody(ev)).toBe(message);
      expect(sseFrame(ev)).toBe(`id: 7\nevent: message\ndata: ${message}\n\n`);
      expect(sseSpec([{ collection: 'posts', ops: ['create', 'update', 'delete'] }]).encode(ev, m)).toBe(
        `id: 7\nevent: message\ndata: ${message}\n\n`,
      );
    }
  });

  it('nothing for presence and schema events; no id without a seq', () => {
    for (const ev of [joined, schema]) {
      expect(eventBody(ev)).toBeNull();
      expect(sseFrame(ev)).toBeNull();
    }
    expect(sseFrame({ ...created, seq: undefined })).toBe(
      `event: message\ndata: {"type":"posts.create","timestamp":"${T}","data":${A}}\n\n`,
    );
  });

  it('an SSE stream of several collections: one subscription to all, each keeping its own operations', () => {
    const spec = sseSpec([
      { collection: 'posts', ops: ['update', 'create'] },
      { collection: 'notes', ops: ['delete'] },
    ]);
    expect([spec.key, spec.collection, spec.shape]).toEqual([
      'notes:delete;posts:create,update',
      '*',
      'snackbase-sse|notes:delete;posts:create,update',
    ]);
    expect([...spec.events!].sort()).toEqual(['record.created', 'record.deleted', 'record.updated']);
    expect(spec.encode(updated, undefined)).toBe(`id: 7\nevent: message\ndata: ${messages[1]![1]}\n\n`);
    expect(spec.encode(deleted, undefined)).toBeNull();
    expect(spec.encode({ ...deleted, collection: 'notes' }, undefined)).toBe(
      `id: 7\nevent: message\ndata: {"type":"notes.delete","timestamp":"${T}","data":${B}}\n\n`,
    );
    expect(spec.encode(schema, undefined)).toBeNull();
    const one = sseSpec([{ collection: 'posts', ops: ['create'] }]);
    expect([one.key, one.collection, one.shape, [...one.events!]]).toEqual([
      'posts',
      'posts',
      'snackbase-sse',
      ['record.created'],
    ]);
  });
});

describe('topics encoder', () => {
  it.each([
    [created, 'ADDED', A, ',"trace_id":"t-1"'],
    [updated, 'UPDATED', B, ',"trace_id":"t-1"'],
    [deleted, 'DELETED', B, ''],
  ] as const)(
    '%j: the subscribed topic, the record as payload, whatever the match',
    (ev, event, payload, trace) => {
      const user = ev.actor ? '"user_id":"u9",' : '';
      for (const m of MATCHES) {
        expect(topicEncoder('posts:r1')(ev, m)).toBe(
          `{"topic":"posts:r1","event":"${event}","data":{"entity_id":"r1","payload":${payload},${user}"tenant_id":"default","timestamp":"${T}"}${trace}}`,
        );
      }
    },
  );

  it('nothing for presence and schema events', () => {
    expect(topicEncoder('posts')(joined, undefined)).toBeNull();
    expect(topicEncoder('posts')(schema, undefined)).toBeNull();
  });
});

describe('FastSchema encoder', () => {
  it('create is a whole message; update and delete are a record with its write (operation, trace_id or seq)', () => {
    const all = fastschemaEncoder(false, undefined);
    for (const m of MATCHES) {
      expect(all(created, m)).toBe(`{"event":"create","data":${A}}`);
      expect(all(updated, m)).toEqual({ text: B, op: 'update', key: 't-1' });
      // without a trace_id the event is a write of its own
      expect(all(deleted, m)).toEqual({ text: B, op: 'delete', key: '#7' });
    }
  });

  it('with id, every operation is a whole message; select projects; nothing for presence and schema', () => {
    const one = fastschemaEncoder(true, ['title']);
    expect(one(created, undefined)).toBe('{"event":"create","data":{"id":"r1","title":"A"}}');
    expect(one(updated, undefined)).toBe('{"event":"update","data":{"id":"r1","title":"B"}}');
    expect(one(deleted, undefined)).toBe('{"event":"delete","data":{"id":"r1","title":"B"}}');
    expect(one(joined, undefined)).toBeNull();
    expect(one(schema, undefined)).toBeNull();
  });
});
