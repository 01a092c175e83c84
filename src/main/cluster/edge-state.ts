import type { JWK } from 'jose';
import type { HubEvent } from '../../shared/events';
import type { Collection } from '../../shared/schema';
import type { Authenticator } from '../auth';
import { hashApiKey, isApiKey } from '../auth/api-keys';
import { keyPrincipal, type Principal } from '../auth/principal';
import { TokenError, Tokens } from '../auth/tokens';
import { AppError } from '../errors';
import { STATE_KEYS, type ApiKeyEntry, type RevocationMessage } from './state-keys';
import {
  DEFAULT_BACKOFF,
  DEFAULT_CONNECT_TIMEOUT_MS,
  errorText,
  openLink,
  parseMessage,
  redactUrl,
  type RedisLink,
} from './redis-link';

// note: the longest reconnect backoff step (DEFAULT_BACKOFF.maxMs) plus a connect: a link that
// is coming back is back by then.
const KEY_LOOKUP_WAIT_MS = DEFAULT_BACKOFF.maxMs + DEFAULT_CONNECT_TIMEOUT_MS;

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
  private keyCache = new Map<string, ApiKeyEntry | null>();
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
    const jwk = await this.link.get(STATE_KEYS.jwk);
    if (!jwk)
      throw new Error(
        `redis ${redactUrl(this.url)} holds no primary's key yet: start the primary with --redis first`,
      );
    this.tokens = await Tokens.fromPublicJwk(JSON.parse(jwk) as JWK);
    await this.sub.subscribe(STATE_KEYS.revocations, (message) => this.onRevocation(message));
    await this.loadSchemas();
    await this.reload();
    // After a reconnect, messages may have been missed: read the revocations again. The
    // subscriber's 'ready' comes once it has resubscribed, so a revocation published before
    // then is seen by this reload, and one published after it arrives as a message. Schemas
    // are not read again: the stream, read on with no gap, carries every change to them,
    // while Redis may hold an older copy (or none, if it restarted empty) until the primary
    // has written them again.
    let first = true;
    const again = () => {
      if (first) return;
      void this.reload().catch((e) => this.log(`edge: reload after reconnect failed: ${errorText(e)}`));
    };
    this.link.on('ready', again);
    this.sub.on('ready', again);
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

  /** Schemas and rules as the primary wrote them; from here on the stream keeps them current. */
  private async loadSchemas(): Promise<void> {
    const cols = await this.link!.hGetAll(STATE_KEYS.collections);
    this.collections.clear();
    for (const [name, json] of Object.entries(cols))
      this.collections.set(name, JSON.parse(json) as Collection);
  }

  /**
   * Reads revocations again, and checks every API key this edge has let in:
   * a key or login revoked while the revocation message could not reach us is revoked now
   * (its live connections close), not only refused from here on.
   */
  private async reload(): Promise<void> {
    const link = this.link!;
    const missed: RevocationMessage[] = [];
    // A Redis that restarted empty holds no keys until the primary writes them again (its
    // key, keys and schemas go in one MULTI): missing keys then mean "not yet", not "revoked".
    const synced = (await link.exists(STATE_KEYS.jwk)) === 1;
    const hashes = synced ? [...this.keyCache.keys()] : [];
    const now = hashes.length ? await link.hmGet(STATE_KEYS.apiKeys, hashes) : [];
    hashes.forEach((hash, i) => {
      const was = this.keyCache.get(hash);
      const json = now[i];
      if (json) this.keyCache.set(hash, JSON.parse(json) as ApiKeyEntry);
      else {
        this.keyCache.delete(hash);
        if (was) missed.push({ kind: 'key', id: was.id });
      }
    });
    for await (const batch of link.scanIterator({ MATCH: `${STATE_KEYS.revokedPrefix}*`, COUNT: 500 })) {
      for (const key of batch) {
        const [kind, id] = key.slice(STATE_KEYS.revokedPrefix.length).split(':');
        const at = Number((await link.get(key)) ?? Date.now());
        if (kind === 'session' && id && !this.revokedSessions.has(id)) {
          this.revokedSessions.add(id);
          missed.push({ kind: 'session', id });
        }
        if (kind === 'user' && id && at > (this.revokedUsers.get(id) ?? 0)) {
          this.revokedUsers.set(id, at);
          missed.push({ kind: 'user', id, at });
        }
      }
    }
    for (const r of missed) for (const fn of this.revokedListeners) fn(r);
  }

  /**
   * The state connection once it is usable: while it reconnects (Redis restarted a moment
   * ago) a key lookup waits for it, bounded, rather than failing a client that connects
   * in that window. After the bound the lookup fails as before.
   */
  private async ready(): Promise<RedisLink> {
    const link = this.link!;
    if (link.isReady || !link.isOpen) return link;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        link.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, KEY_LOOKUP_WAIT_MS);
      link.once('ready', done);
    });
    return link;
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
    const r = parseMessage<RevocationMessage>(message);
    if (r === undefined) return;
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
        const json = await (await this.ready()).hGet(STATE_KEYS.apiKeys, hash);
        k = json ? (JSON.parse(json) as ApiKeyEntry) : null;
        // note: misses are not cached, so a key created a moment ago works at once.
        if (k) this.keyCache.set(hash, k);
      }
      if (!k) throw unauthorized('The API key is not valid.');
      return keyPrincipal(k);
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
