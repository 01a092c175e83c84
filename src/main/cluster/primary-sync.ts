import type { HubEvent } from '../../shared/events';
import type { Collection } from '../../shared/schema';
import type { Tokens } from '../auth/tokens';
import type { Store } from '../store';
import type { CredentialChange } from '../store/changes';
import { STATE_KEYS, type ApiKeyEntry, type RevocationMessage } from './state-keys';
import {
  DEFAULT_BACKOFF,
  DEFAULT_CONNECT_TIMEOUT_MS,
  errorText,
  openLink,
  redactUrl,
  type RedisLink,
} from './redis-link';

/**
 * The primary's side of what edges must know besides events: the public key to verify
 * tokens, API keys (by hash), collection schemas and rules, and revocations, kept current
 * in Redis. After a reconnect the whole state is written again, and revocations made
 * while Redis was away are published then.
 */
export class PrimarySync {
  private link?: RedisLink;
  private offs: (() => void)[] = [];
  private pending: RevocationMessage[] = [];

  constructor(
    private readonly url: string,
    private readonly store: Store,
    private readonly tokens: Tokens,
    private readonly log: (line: string) => void,
  ) {}

  /** Connects and writes the full state; rejects with one line when Redis is not there. */
  async start(): Promise<void> {
    try {
      this.link = await openLink(this.url, {
        name: 'switchboard-primary-sync',
        connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
        reconnect: DEFAULT_BACKOFF,
      });
    } catch (e) {
      throw new Error(`redis: cannot connect to ${redactUrl(this.url)}: ${errorText(e)}`);
    }
    let first = true;
    this.link.on('ready', () => {
      if (first) return;
      void this.writeAll().catch((e) => this.log(`redis sync failed: ${errorText(e)}`));
    });
    await this.writeAll();
    first = false;
    this.offs.push(this.store.changes.on((c) => void this.onChange(c)));
    this.offs.push(this.store.bus.subscribe((events) => void this.onEvents(events)));
  }

  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    try {
      await this.link?.close();
    } catch {
      this.link?.destroy();
    }
  }

  private async writeAll(): Promise<void> {
    const link = this.link!;
    const jwk = JSON.stringify(await this.tokens.publicJwk());
    // The keys and collections are read after the last await, in the turn that sends the MULTI: a key
    // saved meanwhile is either in this read or written by its own hSet after the MULTI (one connection,
    // in order). Read before the await, a key saved during it was written first and then wiped by the
    // MULTI's del, and edges refused it until the next reconnect.
    const keys: Record<string, string> = {};
    for (const { key, hash } of this.store.keys.allWithHashes()) keys[hash] = JSON.stringify(entry(key));
    const cols: Record<string, string> = {};
    for (const c of this.store.collections.list()) cols[c.name] = JSON.stringify(c);
    const m = link.multi().set(STATE_KEYS.jwk, jwk).del(STATE_KEYS.apiKeys).del(STATE_KEYS.collections);
    if (Object.keys(keys).length) m.hSet(STATE_KEYS.apiKeys, keys);
    if (Object.keys(cols).length) m.hSet(STATE_KEYS.collections, cols);
    await m.exec();
    const queued = this.pending;
    this.pending = [];
    for (const r of queued) await this.publish(r);
  }

  private async onChange(c: CredentialChange): Promise<void> {
    try {
      if (c.kind === 'key.saved')
        await this.link!.hSet(STATE_KEYS.apiKeys, c.hash, JSON.stringify(entry(c.key)));
      else if (c.kind === 'key.deleted') await this.publish({ kind: 'key', id: c.id });
      else if (c.kind === 'session.revoked') await this.publish({ kind: 'session', id: c.id });
      else await this.publish({ kind: 'user', id: c.id, at: c.at });
    } catch (e) {
      if (c.kind !== 'key.saved') this.pending.push(toMessage(c));
      this.log(`redis sync: ${c.kind} not yet published (${errorText(e)}); will retry on reconnect`);
    }
  }

  private async publish(r: RevocationMessage): Promise<void> {
    const link = this.link!;
    const ttl = this.tokens.accessTtlS;
    if (r.kind === 'key') {
      // The hash is unknown here (the row is gone): drop every entry with this key id.
      const all = await link.hGetAll(STATE_KEYS.apiKeys);
      const hashes = Object.entries(all)
        .filter(([, v]) => (JSON.parse(v) as ApiKeyEntry).id === r.id)
        .map(([h]) => h);
      if (hashes.length) await link.hDel(STATE_KEYS.apiKeys, hashes);
    } else {
      // Edges that start later still refuse tokens of a revoked login until those expire.
      const at = r.kind === 'user' ? r.at : Date.now();
      await link.set(`${STATE_KEYS.revokedPrefix}${r.kind}:${r.id}`, String(at), { EX: ttl });
    }
    await link.publish(STATE_KEYS.revocations, JSON.stringify(r));
  }

  private async onEvents(events: readonly HubEvent[]): Promise<void> {
    for (const e of events) {
      if (!e.type.startsWith('collection.') || !e.collection) continue;
      try {
        if (e.type === 'collection.deleted') await this.link!.hDel(STATE_KEYS.collections, e.collection);
        else {
          const c = e.data as unknown as Collection;
          // A rename arrives as an update whose previous name differs.
          const before = e.previous as unknown as Collection | undefined;
          if (before && before.name !== c.name) await this.link!.hDel(STATE_KEYS.collections, before.name);
          await this.link!.hSet(STATE_KEYS.collections, c.name, JSON.stringify(c));
        }
      } catch (err) {
        this.log(
          `redis sync: schema of '${e.collection}' not written (${errorText(err)}); rewritten on reconnect`,
        );
      }
    }
  }
}

function entry(k: {
  id: string;
  role: ApiKeyEntry['role'];
  account: string;
  collections: string[] | null;
}): ApiKeyEntry {
  return { id: k.id, role: k.role, account: k.account, collections: k.collections };
}

function toMessage(c: Exclude<CredentialChange, { kind: 'key.saved' }>): RevocationMessage {
  if (c.kind === 'key.deleted') return { kind: 'key', id: c.id };
  if (c.kind === 'session.revoked') return { kind: 'session', id: c.id };
  return { kind: 'user', id: c.id, at: c.at };
}
