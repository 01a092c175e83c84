import type { JWK } from 'jose';
import type { HubEvent } from '../../shared/events';
import type { Collection } from '../../shared/schema';
import type { Authenticator } from '../auth';
import { hashApiKey, isApiKey } from '../auth/api-keys';
import type { Principal } from '../auth/principal';
import { TokenError, Tokens } from '../auth/tokens';
import { AppError } from '../errors';
import { KEYS, type KeyEntry, type RevocationMessage } from './keys';
import {
  DEFAULT_BACKOFF,
  DEFAULT_CONNECT_TIMEOUT_MS,
  errorText,
  openLink,
  redactUrl,
  type RedisLink,
} from './redis-link';

const unauthorized = (message: string, code: 'unauthorized' | 'token_expired' = 'unauthorized') =>
  new AppError(401, code, message);

/**
 * What an edge knows without a database: the primary's public key (tokens are verified
 * here, with no round trip), API keys by hash, schemas and rules, and revocations. All of it
 * comes from Redis and stays current through the revocation channel and the event stream.
 */
export class EdgeState implements Authenticator {
  readonly collections = new Map<string, Collection>();
  private tokens?: Tokens;
  private link?: RedisLink;
  private sub?: RedisLink;
  private keyCache = new Map<string, KeyEntry | null>();
  private revokedSessions = new Set<string>();
  private revokedUsers = new Map<string, number>();
  private revokedListeners = new Set<(r: RevocationMessage) => void>();

  constructor(
    private readonly url: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Loads everything; rejects with one line when Redis or the primary's state is missing. */
  async start(): Promise<void> {
    const opts = { connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, reconnect: DEFAULT_BACKOFF };
    try {
      this.link = await openLink(this.url, { name: 'switchboard-edge-state', ...opts });
      this.sub = await openLink(this.url, { name: 'switchboard-edge-revocations', ...opts });
    } catch (e) {
      this.link?.destroy();
      throw new Error(`redis: cannot connect to ${redactUrl(this.url)}: ${errorText(e)}`);
    }
    const jwk = await this.link.get(KEYS.jwk);
    if (!jwk)
      throw new Error(
        `redis ${redactUrl(this.url)} holds no primary's key yet: start the primary with --redis first`,
      );
    this.tokens = await Tokens.fromPublicJwk(JSON.parse(jwk) as JWK);
    await this.sub.subscribe(KEYS.revocations, (message) => this.onRevocation(message));
    await this.reload();
    // After a reconnect, messages may have been missed: read the state again.
    let first = true;
    this.link.on('ready', () => {
      if (first) return;
      void this.reload().catch((e) => this.log(`edge: reload after reconnect failed: ${errorText(e)}`));
    });
    first = false;
  }

  async stop(): Promise<void> {
    for (const l of [this.sub, this.link]) {
      try {
        await l?.close();
      } catch {
        l?.destroy();
      }
    }
  }

  private async reload(): Promise<void> {
    const link = this.link!;
    const cols = await link.hGetAll(KEYS.collections);
    this.collections.clear();
    for (const [name, json] of Object.entries(cols))
      this.collections.set(name, JSON.parse(json) as Collection);
    this.keyCache.clear();
    for await (const batch of link.scanIterator({ MATCH: `${KEYS.revokedPrefix}*`, COUNT: 500 })) {
      for (const key of batch) {
        const [kind, id] = key.slice(KEYS.revokedPrefix.length).split(':');
        const at = Number((await link.get(key)) ?? Date.now());
        if (kind === 'session' && id) this.revokedSessions.add(id);
        if (kind === 'user' && id) this.revokedUsers.set(id, Math.max(at, this.revokedUsers.get(id) ?? 0));
      }
    }
  }

  /** Keeps schemas current from the stream (collection.* events carry the definition). */
  applyEvents(events: readonly HubEvent[]): void {
    for (const e of events) {
      if (!e.type.startsWith('collection.') || !e.collection) continue;
      const prev = e.previous as unknown as Collection | undefined;
      if (prev) this.collections.delete(prev.name);
      if (e.type === 'collection.deleted') this.collections.delete(e.collection);
      else this.collections.set(e.collection, e.data as unknown as Collection);
    }
  }

  /** Called with each revocation (after it took effect here), so the hub can close connections. */
  onRevoked(fn: (r: RevocationMessage) => void): void {
    this.revokedListeners.add(fn);
  }

  private onRevocation(message: string): void {
    let r: RevocationMessage;
    try {
      r = JSON.parse(message) as RevocationMessage;
    } catch {
      return;
    }
    if (r.kind === 'key') for (const [h, k] of this.keyCache) if (k?.id === r.id) this.keyCache.delete(h);
    if (r.kind === 'session') this.revokedSessions.add(r.id);
    if (r.kind === 'user') this.revokedUsers.set(r.id, r.at);
    for (const fn of this.revokedListeners) fn(r);
  }

  async authenticate(token: string): Promise<Principal> {
    if (isApiKey(token)) {
      const hash = hashApiKey(token);
      let k = this.keyCache.get(hash);
      if (k === undefined) {
        const json = await this.link!.hGet(KEYS.apiKeys, hash);
        k = json ? (JSON.parse(json) as KeyEntry) : null;
        // note: misses are not cached, so a key created a moment ago works at once.
        if (k) this.keyCache.set(hash, k);
      }
      if (!k) throw unauthorized('The API key is not valid.');
      return {
        kind: 'key',
        id: k.id,
        role: k.role,
        account: k.account,
        superuser: false,
        collections: k.collections,
      };
    }
    let claims;
    try {
      claims = await this.tokens!.verify(token);
    } catch (e) {
      if (e instanceof TokenError && e.reason === 'expired')
        throw unauthorized('The token has expired.', 'token_expired');
      throw unauthorized('The token is not valid.');
    }
    if (claims.typ !== 'access') throw unauthorized('Not an access token.');
    const revokedAt = this.revokedUsers.get(claims.sub);
    const issuedAt = claims.ims ?? 0;
    if (this.revokedSessions.has(claims.sid) || (revokedAt !== undefined && issuedAt <= revokedAt)) {
      throw unauthorized('This login has ended; sign in again.');
    }
    return {
      kind: 'user',
      id: claims.sub,
      email: claims.email,
      role: claims.role as Principal['role'],
      account: claims.acct,
      superuser:
        claims.role === 'admin' && claims.acct === 'default' && (claims as { su?: boolean }).su === true,
      collections: null,
      sessionId: claims.sid,
      expiresAt: claims.exp * 1000,
    };
  }
}
