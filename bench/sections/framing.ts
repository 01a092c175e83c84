/**
 * `framing`: the WebSocket frame around a shared event payload, written by hand (RFC 6455
 * header + payload in one buffer, what ws-transport.ts did) against ws's own `Sender.frame()`
 * joined into one buffer (what it does now), in process, no sockets. A payload is framed once
 * per event and shape, then written to every matching socket, so this is a per-event cost.
 *
 * Runs with the other sections (`npm run bench -- --only framing`) or alone, without the build
 * the server sections need: `node --import tsx bench/sections/framing.ts [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import * as wsLib from 'ws';
import type { BenchContext, Section } from '../lib/section';
import { fmt, renderTable } from '../lib/table';

// note: @types/ws does not declare the frame writer ws exports.
const { Sender } = wsLib as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};
const TEXT = { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false };

/** The hand-written framing ws-transport.ts used before: one buffer, header then payload. */
function byHand(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x81;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(out, head);
  return out;
}

const WAYS: Record<string, (p: Buffer) => Buffer | Buffer[]> = {
  'by hand (before)': byHand,
  'Sender.frame + concat (now)': (p) => Buffer.concat(Sender.frame(p, TEXT)),
  'Sender.frame, two chunks': (p) => Sender.frame(p, TEXT),
};

/** `n` distinct native event frames of about `bytes` bytes (a record with a text field sized to fit). */
function payloads(n: number, bytes: number): Buffer[] {
  const frame = (i: number, body: string) =>
    JSON.stringify({
      type: 'event',
      data: {
        type: 'record.updated',
        collection: 'items',
        record_id: `r${i}`,
        data: { id: `r${i}`, title: `Item ${i}`, body, price: i % 1000, published: true },
        timestamp: '2026-01-01T12:00:00.000Z',
        seq: i,
        trace_id: `t${i}`,
      },
      timestamp: '2026-01-01T12:00:00.000Z',
    });
  const pad = Math.max(0, bytes - frame(0, '').length);
  return Array.from({ length: n }, (_, i) => Buffer.from(frame(i, 'x'.repeat(pad))));
}

/**
 * Frames every payload one way: CPU ns per frame (this process's user + system time, so other
 * work on a shared machine does not count; garbage collection in the loop does).
 */
function time(way: (p: Buffer) => Buffer | Buffer[], input: Buffer[]): { ns: number; sink: number } {
  let sink = 0;
  const t0 = process.cpuUsage();
  for (const p of input) sink += way(p).length;
  const t = process.cpuUsage(t0);
  return { ns: ((t.user + t.system) * 1000) / input.length, sink };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(ctx: BenchContext): Promise<void> {
  const rounds = ctx.quick ? 3 : 7;
  const cases = ctx.quick
    ? [{ bytes: 600, n: 10_000 }]
    : [
        { bytes: 600, n: 100_000 },
        { bytes: 4096, n: 25_000 },
      ];
  ctx.print(`## framing: CPU time, ${rounds} rounds after a warm-up, the ways in alternating order`);
  const rows: (string | number)[][] = [];
  for (const { bytes, n } of cases) {
    const input = payloads(n, bytes);
    for (let i = 0; i < input.length; i += 997)
      if (!byHand(input[i]!).equals(Buffer.concat(Sender.frame(input[i]!, TEXT))))
        throw new Error('the two framings differ');
    const names = Object.keys(WAYS);
    for (const name of names) time(WAYS[name]!, input);
    const ns: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 ? [...names].reverse() : names) ns[name]!.push(time(WAYS[name]!, input).ns);
    }
    const hand = ns[names[0]!]!;
    for (const name of names) {
      const ratios = ns[name]!.map((v, i) => v / hand[i]!);
      rows.push([
        `${input[0]!.length} B x ${n.toLocaleString('en-US')}`,
        name,
        fmt(median(ns[name]!), 0),
        fmt(Math.min(...ns[name]!), 0),
        `${fmt(median(ratios), 2)}x (${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)})`,
      ]);
    }
  }
  ctx.print(renderTable(['payload', 'way', 'ns/frame p50', 'ns/frame min', 'vs by hand, per round'], rows));
}

const section: Section = {
  name: 'framing',
  summary: "WebSocket framing of a shared payload: by hand vs ws's Sender.frame (in process, seconds)",
  run,
};
export default section;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ quick: process.argv.includes('--quick'), print: (l = '') => console.log(l) });
}
