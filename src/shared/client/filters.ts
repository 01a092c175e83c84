/**
 * Parsed filters for client-side matching, per collection. Uses the collection's real field types
 * when they can be read (`GET /api/v1/collections/{name}`, which needs a token), else types inferred
 * from the filter itself, so matching never waits on the network.
 */
import { parseFilter, type FieldTypes, type FilterContext, type FilterNode } from '../filter';
import { systemFieldType } from '../schema';
import { getCollection, requestJson, type AuthUser, type HttpContext } from './rest';
import { inferFieldTypes } from './matcher';
import type { ClientErrorInfo } from './types';

type Schema = FieldTypes | 'pending' | 'unavailable';

/** Resolves `(collection, filter)` to a parsed filter and knows the caller for `@user.*` references. */
export class FilterResolver {
  private schemas = new Map<string, Schema>();
  private loads = new Map<string, Promise<void>>();
  private nodes = new Map<string, FilterNode | null>();
  private userLoad: Promise<void> | undefined;
  // note: bumped by reset so a load started under the previous token cannot land afterwards.
  private generation = 0;
  /** The caller, for filters that name `@user.*`; set from a login or fetched from `/auth/me`. */
  user: AuthUser | undefined;

  constructor(
    private readonly http: HttpContext,
    private readonly report: (e: ClientErrorInfo) => void,
  ) {}

  /** The filter context for evaluation. */
  get context(): FilterContext {
    const u = this.user;
    return { user: u ? { id: u.id, email: u.email, role: u.role, account: u.account } : null };
  }

  /** Forgets schemas and the caller: the token changed, so what it may read may have too. */
  reset(user?: AuthUser): void {
    this.schemas.clear();
    this.loads.clear();
    this.nodes.clear();
    this.userLoad = undefined;
    this.user = user;
    this.generation++;
  }

  /**
   * The parsed filter for `collection`, now: with the schema if loaded, else inferred types (and a
   * schema load starts in the background). Null when the filter does not parse (reported once).
   */
  node(collection: string, filter: Record<string, unknown>): FilterNode | null {
    const schema = this.schemas.get(collection);
    if (schema === undefined) void this.prepare(collection, filter);
    const exact = typeof schema === 'object';
    const key = `${collection}\u0000${exact ? 1 : 0}\u0000${JSON.stringify(filter)}`;
    if (this.nodes.has(key)) return this.nodes.get(key)!;
    let node: FilterNode | null = null;
    try {
      node = parseFilter(filter, exact ? schema : inferFieldTypes(filter));
    } catch (e) {
      this.report({ code: 'invalid_filter', message: (e as Error).message, collection });
    }
    this.nodes.set(key, node);
    return node;
  }

  /**
   * Loads what matching `filter` on `collection` needs: the schema (when there is a token) and the
   * caller (when the filter names `@user.*`). Never rejects; failures fall back to inference.
   */
  prepare(collection: string, filter: Record<string, unknown>): Promise<void> {
    const jobs: Promise<void>[] = [];
    if (collection !== '*' && !this.schemas.has(collection)) {
      if (!this.http.token()) this.schemas.set(collection, 'unavailable');
      else jobs.push(this.loadSchema(collection));
    } else if (this.loads.has(collection)) {
      jobs.push(this.loads.get(collection)!);
    }
    if (!this.user && this.http.token() && JSON.stringify(filter).includes('"@user.')) {
      const gen = this.generation;
      this.userLoad ??= requestJson<{ kind: string; user?: AuthUser }>(
        this.http,
        'GET',
        '/api/v1/auth/me',
      ).then(
        (me) => {
          if (me.user && !this.user && gen === this.generation) this.user = me.user;
        },
        () => undefined,
      );
      jobs.push(this.userLoad);
    }
    return Promise.all(jobs).then(() => undefined);
  }

  private loadSchema(collection: string): Promise<void> {
    this.schemas.set(collection, 'pending');
    const gen = this.generation;
    const load = getCollection(this.http, collection).then(
      (c) => {
        if (gen !== this.generation) return;
        const types: FieldTypes = {};
        for (const f of ['id', 'created_at', 'updated_at', 'account']) types[f] = systemFieldType(f)!;
        for (const f of c.fields ?? []) types[f.name] = f.type;
        this.schemas.set(collection, types);
      },
      () => {
        if (gen === this.generation) this.schemas.set(collection, 'unavailable');
      },
    );
    this.loads.set(collection, load);
    return load;
  }
}
