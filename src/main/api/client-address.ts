import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** The plain form of an address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4, no zone, lower case. */
export function plainAddress(address: string): string {
  const a = address.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? mapped[1]! : a;
}

/**
 * The proxies whose `X-Forwarded-For` is believed (`trustedProxies`: addresses, CIDR ranges, or
 * `loopback`). By default none: a client can write any X-Forwarded-For, so it counts only when
 * the socket's peer is a proxy the operator named. Behind nginx or this cluster's edges (which
 * append the address they saw), list them, or every client shares the proxy's address for the
 * login limits and the anonymous connection cap.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[] = []) {
    this.empty = entries.length === 0;
    for (const raw of entries) {
      const e = raw.trim().toLowerCase();
      if (e === 'loopback') {
        this.list.addSubnet('127.0.0.0', 8, 'ipv4');
        this.list.addAddress('::1', 'ipv6');
        continue;
      }
      const [addr, bits, extra] = e.split('/');
      const family = isIP(addr ?? '');
      const max = family === 4 ? 32 : 128;
      if (!family || extra !== undefined || (bits !== undefined && !/^\d+$/.test(bits)) || Number(bits) > max)
        throw new Error(`invalid trusted proxy '${raw}': use an IP address, a CIDR range or 'loopback'`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(plainAddress(addr!), type);
      else this.list.addSubnet(plainAddress(addr!), Number(bits), type);
    }
  }

  /** Whether `address` is one of the trusted proxies. */
  trusts(address: string): boolean {
    if (this.empty) return false;
    const a = plainAddress(address);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The address of the client behind any trusted proxies: the socket's peer when it is not
   * trusted; otherwise X-Forwarded-For read from the right, skipping trusted hops, and the first
   * untrusted (or malformed) entry is the client. Entries left of it are the client's own words.
   */
  clientAddress(req: IncomingMessage): string {
    const peer = plainAddress(req.socket.remoteAddress ?? '');
    if (!this.trusts(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plainAddress(hops[i]!.replace(/^\[(.*)\](:\d+)?$/, '$1'));
      if (!isIP(hop)) return client;
      client = hop;
      if (!this.trusts(hop)) return hop;
    }
    return client;
  }
}
