import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Hub } from './hub';
import type { Connection } from './types';
import { remoteOf } from './ws-transport';

/** The close a connection gets when it arrives anonymous over its address's cap (as the per-user limit's). */
export const TOO_MANY_ANONYMOUS = { code: 1013, reason: 'too many anonymous connections from this address' };

/**
 * Caps the connections without a user or key per client address (the per-user cap does not
 * apply to them). A connection counts while it is anonymous: one that came with a credential
 * is checked by the per-user cap instead (or closed when the credential is bad), and one that
 * signs in later stops counting. Upgrades and SSE requests ask `hasRoom` first so the refusal
 * is an HTTP 503; a connection that still arrives over the cap (one that looked credentialed
 * but was not) is closed with TOO_MANY_ANONYMOUS.
 */
export class AnonymousLimit {
  /** Client address by transport `remote` (`ip:port` of the socket), for the sockets noted. */
  private readonly clients = new Map<string, string>();
  private readonly noted = new WeakSet<Socket>();
  private readonly counts = new Map<string, number>();
  private readonly counted = new Map<string, string>();
  private readonly off: (() => void)[];

  constructor(
    private readonly hub: Hub,
    readonly max: number,
    private readonly clientAddress: (req: IncomingMessage) => string,
  ) {
    this.off = [
      hub.hooks.on('on_realtime_connect', (c) => this.connected(c)),
      hub.hooks.on('on_realtime_authenticate', (c) => this.release(c)),
      hub.hooks.on('on_realtime_disconnect', (c) => this.release(c)),
    ];
  }

  /** The client's address for `req`, remembered for the socket's life so the hub's connection can be traced back to it. */
  note(req: IncomingMessage): string {
    const address = this.clientAddress(req);
    const remote = remoteOf(req);
    this.clients.set(remote, address);
    const socket = req.socket;
    if (!this.noted.has(socket)) {
      this.noted.add(socket);
      socket.once('close', () => this.clients.delete(remote));
    }
    return address;
  }

  /** Whether one more anonymous connection from `address` fits. */
  hasRoom(address: string): boolean {
    return (this.counts.get(address) ?? 0) < this.max;
  }

  /** The refusal message, in the words of the other connection limits. */
  message(): string {
    return `Too many anonymous connections from this address (at most ${this.max}); sign in or use an API key.`;
  }

  stop(): void {
    for (const off of this.off) off();
  }

  private connected(c: Connection): void {
    if (c.principal || c.authPending) return;
    const remote = c.transport.remote;
    const address = this.clients.get(remote) ?? remote.slice(0, remote.lastIndexOf(':'));
    if (!this.hasRoom(address)) {
      // Closed once the dialect has finished the synchronous setup of the connection it just attached.
      queueMicrotask(() => this.hub.close(c, TOO_MANY_ANONYMOUS.code, TOO_MANY_ANONYMOUS.reason));
      return;
    }
    this.counted.set(c.id, address);
    this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
  }

  private release(c: Connection): void {
    const address = this.counted.get(c.id);
    if (address === undefined) return;
    this.counted.delete(c.id);
    const n = (this.counts.get(address) ?? 1) - 1;
    if (n <= 0) this.counts.delete(address);
    else this.counts.set(address, n);
  }
}
