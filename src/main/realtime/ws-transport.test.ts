import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitReason, textFrame } from './ws-transport';

// note: ws exports its frame writer and reader, but @types/ws does not declare them.
const { Sender, Receiver } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
  Receiver: new (options: { isServer: boolean }) => Writable;
};

/** What ws itself puts on the wire for a server's text frame. */
function wsFrame(payload: Buffer): Buffer {
  return Buffer.concat(
    Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
  );
}

describe('textFrame', () => {
  // The three length encodings and their edges (7-bit, 16-bit, 64-bit), empty included.
  it.each([0, 1, 125, 126, 127, 65535, 65536, 300_000])('frames %i bytes exactly as ws does', (n) => {
    const payload = Buffer.alloc(n, 'x');
    expect(textFrame(payload).equals(wsFrame(payload))).toBe(true);
  });

  it.each([
    [0, [0x81, 0]],
    [125, [0x81, 125]],
    [126, [0x81, 126, 0, 126]],
    [65535, [0x81, 126, 0xff, 0xff]],
    [65536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
    [300_000, [0x81, 127, 0, 0, 0, 0, 0, 0x04, 0x93, 0xe0]],
  ])('%i bytes: FIN + text, unmasked, the length as RFC 6455 encodes it, then the payload', (n, head) => {
    const payload = Buffer.alloc(n, 'y');
    const frame = textFrame(payload);
    expect([...frame.subarray(0, head.length)]).toEqual(head);
    expect(frame.subarray(head.length).equals(payload)).toBe(true);
  });

  it('frames a payload once and shares the bytes', () => {
    const payload = Buffer.from('{"type":"event"}');
    expect(textFrame(payload)).toBe(textFrame(payload));
    expect(textFrame(Buffer.from('{"type":"event"}'))).not.toBe(textFrame(payload));
  });

  it('is read back by a WebSocket receiver as the same text, several frames in one chunk', async () => {
    const texts = ['{"a":1}', 'é'.repeat(200), 'z'.repeat(70_000)];
    const received: string[] = [];
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      received.push(data.toString());
    });
    const chunk = Buffer.concat(texts.map((t) => textFrame(Buffer.from(t))));
    await new Promise<void>((resolve, reject) =>
      receiver.write(chunk, (e?: Error | null) => (e ? reject(e) : resolve())),
    );
    expect(received).toEqual(texts);
  });
});

describe('fitReason', () => {
  it('keeps short reasons and cuts long ones to 123 bytes on a character boundary', () => {
    expect(fitReason('slow consumer')).toBe('slow consumer');
    const cut = fitReason('é'.repeat(100));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('...')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });
});
