import type { FieldInput } from '../../shared/collection-validation';
import { FilterError, parseFilter, type FieldTypes } from '../../shared/filter';
import { RULE_OPS, type Collection, type FieldDef, type Rules } from '../../shared/schema';
import type { Db } from './db';
import { Conflict, Invalid, NotFound } from './errors';
import type { NewEvent } from './events';
import { nowIso } from './ids';
import type { Writer } from './mutation';
import {
  applyFields,
  createRecordTable,
  dropCollection,
  dropPlainIndexes,
  ensurePlainIndexes,
  renameRecordTable,
  rowToCollection,
  saveCollection,
  stripInput,
} from './schema-sql';

/** Rules a collection gets for operations its body leaves out: only admins. */
export const DEFAULT_RULES: Rules = {
  list: 'admin',
  view: 'admin',
  create: 'admin',
  update: 'admin',
  delete: 'admin',
};

/** The field -> type map the filter language checks against, system fields included. */
export function fieldTypes(c: Pick<Collection, 'fields'>): FieldTypes {
  const types: FieldTypes = { id: 'text', created_at: 'date', updated_at: 'date' };
  for (const f of c.fields) types[f.name] = f.type;
  return types;
}

/** Who changes the schema, for the event: the account it is told to, who, and the request's trace id. */
export interface SchemaWriteOptions {
  account: string;
  actor?: string;
  traceId?: string;
}

/** A new collection: its name, fields and the rules it sets (the rest are `admin`). */
export interface CollectionInput {
  name: string;
  fields: FieldInput[];
  rules?: Partial<Rules>;
}

/** A schema change: rename, new fields (`previous_name` renames one), rules to change. */
export interface CollectionPatch {
  name?: string;
  fields?: FieldInput[];
  rules?: Partial<Rules>;
}

function schemaEvent(
  type: 'collection.created' | 'collection.updated' | 'collection.deleted',
  c: Collection,
  o: SchemaWriteOptions,
  timestamp: string,
): NewEvent {
  return {
    type,
    collection: c.name,
    data: c as unknown as Record<string, unknown>,
    account: o.account,
    actor: o.actor,
    timestamp,
    trace_id: o.traceId,
  };
}

/**
 * Collections and their tables. Every schema change is DDL, a row in schema_changes and its
 * outbox event, in one transaction of its own (a failed change leaves nothing behind), with
 * one timestamp for the definition's `updated_at`, the log and the event.
 */
export class Collections {
  private cache = new Map<string, Collection>();

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {
    this.reload();
  }

  /** Re-reads the definitions; called after every schema transaction, committed or not. */
  reload(): void {
    this.cache.clear();
    const rows = this.db.prepare('SELECT * FROM collections ORDER BY name').all() as Record<string, string>[];
    for (const row of rows) this.cache.set(row.name!, rowToCollection(row));
  }

  list(): Collection[] {
    return [...this.cache.values()];
  }

  get(name: string): Collection | undefined {
    return this.cache.get(name);
  }

  /** The collection, or NotFound. */
  require(name: string): Collection {
    const c = this.cache.get(name);
    if (!c) throw new NotFound(`Collection '${name}'`);
    return c;
  }

  /** Creates the definition and its table; Conflict when the name is taken, Invalid for bad relations or rules. */
  create(input: CollectionInput, o: SchemaWriteOptions): Collection {
    return this.writer.mutateSchema((emit) => {
      if (this.cache.has(input.name)) throw new Conflict(`Collection '${input.name}' already exists.`);
      if (input.fields.some((f) => f.previous_name))
        throw new Invalid({ fields: 'previous_name only applies to an update' });
      const fields = input.fields.map(stripInput);
      const rules = { ...DEFAULT_RULES, ...input.rules };
      this.checkRelations(fields, input.name);
      this.checkRules(rules, fields);
      createRecordTable(this.db, input.name, fields);
      const now = nowIso();
      const c: Collection = { name: input.name, fields, rules, created_at: now, updated_at: now };
      this.save(c, { op: 'create', fields, rules }, o.actor);
      emit(schemaEvent('collection.created', c, o, now));
      return c;
    });
  }

  /**
   * Applies a schema change: rename the collection (relations that point at it follow), add,
   * rename (via `previous_name`) and drop fields, change constraints and rules. Untouched
   * fields keep their data; a field's type cannot change in place. Returns the collection after.
   */
  update(name: string, patch: CollectionPatch, o: SchemaWriteOptions): Collection {
    return this.writer.mutateSchema((emit) => {
      const before = this.require(name);
      const now = nowIso();
      dropPlainIndexes(this.db, name);
      let current = name;
      if (patch.name && patch.name !== name) {
        if (this.cache.has(patch.name)) throw new Conflict(`Collection '${patch.name}' already exists.`);
        renameRecordTable(this.db, name, patch.name, before.fields);
        this.cache.delete(name);
        this.retargetRelations(name, patch.name, o.actor, now);
        current = patch.name;
      }
      const fields = patch.fields
        ? applyFields(this.db, current, before.fields, patch.fields)
        : before.fields;
      ensurePlainIndexes(this.db, current, fields);
      const rules = { ...before.rules, ...patch.rules };
      this.checkRelations(fields, current);
      this.checkRules(rules, fields);
      const after: Collection = { ...before, name: current, fields, rules, updated_at: now };
      this.save(after, { op: 'update', from: name, ...patch }, o.actor);
      emit({
        ...schemaEvent('collection.updated', after, o, now),
        previous: before as unknown as Record<string, unknown>,
      });
      return after;
    });
  }

  /** Drops the collection and its records. Conflict while another collection relates to it. */
  drop(name: string, o: SchemaWriteOptions): Collection {
    return this.writer.mutateSchema((emit) => {
      const c = this.require(name);
      for (const other of this.cache.values()) {
        const f = other.fields.find((x) => x.type === 'relation' && x.collection === name);
        if (f && other.name !== name)
          throw new Conflict(`Collection '${other.name}' relates to '${name}' through '${f.name}'.`);
      }
      const now = nowIso();
      dropCollection(this.db, name, o.actor, now);
      this.cache.delete(name);
      emit(schemaEvent('collection.deleted', c, o, now));
      return c;
    });
  }

  private save(c: Collection, change: unknown, actor: string | undefined): void {
    saveCollection(this.db, c, change, actor);
    this.cache.set(c.name, c);
  }

  private retargetRelations(from: string, to: string, actor: string | undefined, now: string): void {
    for (const c of this.cache.values()) {
      if (!c.fields.some((f) => f.type === 'relation' && f.collection === from)) continue;
      const fields = c.fields.map((f) =>
        f.type === 'relation' && f.collection === from ? { ...f, collection: to } : f,
      );
      this.save({ ...c, fields, updated_at: now }, { op: 'retarget', from, to }, actor);
    }
  }

  private checkRelations(fields: FieldDef[], self: string): void {
    const errors: Record<string, string> = {};
    fields.forEach((f, i) => {
      if (f.type === 'relation' && f.collection !== self && !this.cache.has(f.collection!)) {
        errors[`fields.${i}.collection`] = `collection '${f.collection}' does not exist`;
      }
    });
    if (Object.keys(errors).length) throw new Invalid(errors);
  }

  private checkRules(rules: Rules, fields: FieldDef[]): void {
    const errors: Record<string, string> = {};
    const types = fieldTypes({ fields });
    for (const op of RULE_OPS) {
      const r = rules[op];
      if (typeof r !== 'object') continue;
      try {
        parseFilter(r, types);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        errors[`rules.${op}`] = e.message;
      }
    }
    if (Object.keys(errors).length) throw new Invalid(errors);
  }
}
