import type { IncomingMessage, Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SharingStatus } from '../../shared/displays';
import type { Principal } from '../auth/principal';
import type { Hub } from '../realtime';
import type { Connection } from '../realtime/types';
import { isLoopback, type HostPolicy } from './host-policy';

/**
 * Which peers count as this machine. Tests replace `isLocal` to let a loopback address (e.g.
 * 127.0.0.2) pose as a LAN client, so no test traffic ever leaves the machine.
 */
export const peers = { isLocal: (address: string): boolean => isLoopback(plain(address)) };

/** `::ffff:1.2.3.4` -> `1.2.3.4`; other addresses as they are. */
function plain(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

/** The address part of a transport's `remote` (`1.2.3.4:5678`, `::1:5678`). */
export function remoteAddress(remote: string): string {
  const i = remote.lastIndexOf(':');
  return i > 0 ? remote.slice(0, i) : remote;
}

/**
 * The desktop's own console token (claim `loc`) is valid only from this machine: a peer on the
 * LAN must sign in with a password, even while the desktop is signed in.
 */
export function refusesLocalCredential(
  p: Pick<Principal, 'local'> | null | undefined,
  address: string,
): boolean {
  return !!p?.local && !peers.isLocal(address);
}

export const LOCAL_TOKEN_MESSAGE =
  "The desktop app's own sign-in works only on this machine; sign in with your email and password.";

// note: 1001 "going away": the server side of these connections is leaving the network.
export const LAN_OFF_CLOSE = { code: 1001, reason: 'LAN sharing was turned off' } as const;
// note: a realtime client gets this long to answer the close frame before its socket is cut.
const CLOSE_GRACE_MS = 2000;

/** The machine's LAN URLs on `port`: IPv4 non-internal first, then global IPv6 (no link-local). */
export function lanUrls(port: number): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(`http://${a.address}:${port}/`);
      else if (!/^fe80:/i.test(a.address)) v6.push(`http://[${a.address}]:${port}/`);
    }
  return [...v4, ...v6];
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

export interface LanSharingOptions {
  server: Server;
  /** The host the server was started on: loopback means the console may switch sharing. */
  host: string;
  policy: HostPolicy;
  /** The hub, to close LAN realtime connections (1001) and refuse the local token from the LAN. */
  hub: () => Hub | undefined;
  /** Saves the switch (the settings table) so it survives a restart. */
  persist: (lan: boolean) => void;
  log: (line: string) => void;
}

/**
 * LAN sharing at runtime: the one HTTP server moves its listening socket from loopback to the
 * wildcard address on the same port (and back), so every handler — REST, SSE, WebSocket upgrades,
 * the console and the display pages — is shared as is, with no restart and no second handler.
 * (Linux refuses 0.0.0.0:P beside a listening 127.0.0.1:P, so it is a move, not a second socket;
 * connections already open are not touched by the move.) Turning it off closes LAN realtime
 * connections with 1001 and LAN HTTP sockets once their response is done.
 */
export class LanSharing {
  /** Started on a non-loopback host (`--host 0.0.0.0`): shared from the start, not switchable. */
  readonly locked: boolean;
  private shared: boolean;
  private readonly sockets = new Set<Socket>();
  private readonly busy = new WeakSet<Socket>();
  private readonly upgraded = new WeakSet<Socket>();
  private switching: Promise<void> = Promise.resolve();

  constructor(private readonly o: LanSharingOptions) {
    this.locked = !isLoopback(o.host);
    this.shared = this.locked;
    o.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // note: only records the socket; realtime answers the upgrade.
    o.server.on('upgrade', (_req: IncomingMessage, socket: Socket) => this.upgraded.add(socket));
    o.server.on('request', (req: IncomingMessage, res) => {
      const socket = req.socket;
      this.busy.add(socket);
      res.on('finish', () => {
        this.busy.delete(socket);
        if (!this.shared && !this.locked && !peers.isLocal(socket.remoteAddress ?? '')) socket.destroy();
      });
    });
  }

  /** Closes a realtime connection that authenticated with the desktop's token from the LAN. */
  guard(hub: Hub): void {
    hub.hooks.on('on_realtime_authenticate', (c: Connection) => {
      if (refusesLocalCredential(c.principal, remoteAddress(c.transport.remote)))
        hub.close(c, 4001, `invalid token: ${LOCAL_TOKEN_MESSAGE}`);
    });
  }

  get lan(): boolean {
    return this.shared;
  }

  private port(): number {
    const a = this.o.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  /** What the console shows: the switch, where it listens, the URLs for other machines. */
  status(): SharingStatus {
    const a = this.o.server.address();
    const listening =
      a && typeof a === 'object'
        ? [a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`]
        : [];
    let urls: string[] = [];
    if (this.shared) {
      const bound = a && typeof a === 'object' ? a.address : '';
      urls = WILDCARD.has(bound)
        ? lanUrls(this.port())
        : [`http://${bound.includes(':') ? `[${bound}]` : bound}:${this.port()}/`];
    }
    let lanClients = 0;
    for (const s of this.sockets) if (!s.destroyed && !peers.isLocal(s.remoteAddress ?? '')) lanClients++;
    return { lan: this.shared, locked: this.locked, listening, urls, lan_clients: lanClients };
  }

  /** Switches sharing (one switch at a time); persists the choice unless `persist` is false. */
  set(lan: boolean, persist = true): Promise<void> {
    const run = this.switching.then(() => this.apply(lan, persist));
    this.switching = run.catch(() => undefined);
    return run;
  }

  private async apply(lan: boolean, persist: boolean): Promise<void> {
    if (this.locked) throw new Error('sharing is set by --host at start and cannot be switched');
    if (lan !== this.shared) {
      const port = this.port();
      const to = lan ? (this.o.host.includes(':') ? '::' : '0.0.0.0') : this.o.host;
      try {
        await this.relisten(to, port);
      } catch (e) {
        // Back where it was, so the console keeps working; then say why.
        await this.relisten(
          this.shared ? (this.o.host.includes(':') ? '::' : '0.0.0.0') : this.o.host,
          port,
        ).catch((again: Error) =>
          this.o.log(`LAN sharing: could not listen again on port ${port}: ${again.message}`),
        );
        throw e;
      }
      this.shared = lan;
      this.o.policy.setBinding(lan ? [this.o.host, to] : [this.o.host], port);
      this.o.log(
        lan ? `LAN sharing on: listening on ${to}:${port}` : `LAN sharing off: listening on ${to}:${port}`,
      );
      if (!lan) this.closeLan();
    }
    if (persist) this.o.persist(lan);
  }

  /** Moves the listening socket: stop accepting (open connections stay), listen on `host`. */
  private relisten(host: string, port: number): Promise<void> {
    const server = this.o.server;
    // note: net.Server's close, not http.Server's: that one would also cut idle keep-alive sockets.
    NetServer.prototype.close.call(server);
    return new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  }

  /** After turning off: LAN realtime connections close with 1001, LAN HTTP sockets when idle. */
  private closeLan(): void {
    const hub = this.o.hub();
    for (const conn of [...(hub?.connections.values() ?? [])])
      if (!peers.isLocal(remoteAddress(conn.transport.remote)))
        hub!.close(conn, LAN_OFF_CLOSE.code, LAN_OFF_CLOSE.reason);
    const lingering: Socket[] = [];
    for (const s of this.sockets) {
      if (peers.isLocal(s.remoteAddress ?? '')) continue;
      if (this.busy.has(s)) continue; // ends when its response finishes (see the request listener)
      lingering.push(s);
    }
    // Sockets upgraded to WebSocket got their close frame above; plain idle ones go now.
    const timer = setTimeout(() => lingering.forEach((s) => s.destroy()), CLOSE_GRACE_MS);
    timer.unref();
    for (const s of lingering) if (!this.upgraded.has(s)) s.destroy();
  }
}
