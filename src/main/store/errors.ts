import type { Collection, RecordData } from '../../shared/schema';

/**
 * What the store refuses, as values: it knows nothing of HTTP. The API turns each kind into
 * a status and an error code in one place (api/on-error.ts). The message is for people.
 */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A collection or record that does not exist (for the caller's account). */
export class NotFound extends StoreError {
  /** `what`: "Collection 'posts'", "Record 'abc'". */
  constructor(readonly what: string) {
    super(`${what} not found.`);
  }
}

/** Input the store cannot take as it stands: field (or path) -> what is wrong with it. */
export class Invalid extends StoreError {
  constructor(
    readonly details: Record<string, string>,
    message = 'The input is not valid.',
  ) {
    super(message);
  }
}

/** A change that collides with what is stored: a name taken, records without a value, a relation in the way. */
export class Conflict extends StoreError {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A record id already taken in the account. */
export class IdTaken extends Conflict {
  constructor(readonly id: string) {
    super('A record with this id already exists.', { id: 'taken' });
  }
}

/** A value a unique field already holds (a write), or duplicates that stop a field becoming unique (a schema change). */
export class UniqueViolation extends StoreError {
  constructor(
    readonly field: string,
    message: string,
    /** What is wrong with the field, in a word or two ("must be unique"). */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** An id several accounts hold, asked for without naming the account (only the superuser can). */
export class AmbiguousId extends StoreError {
  constructor(
    readonly id: string,
    readonly accounts: string[],
  ) {
    super(`Accounts ${accounts.map((a) => `'${a}'`).join(', ')} each hold a record '${id}'.`);
  }
}

/** The versions (`updated_at`) a write accepts, and the condition as the caller wrote it. */
export interface IfMatch {
  versions: string[];
  /** The caller's own words (the If-Match header), for the error. */
  given: string;
}

/** A conditional write whose record has moved on: `current` is the record as it now is. */
export class VersionConflict extends StoreError {
  constructor(
    readonly collection: Collection,
    readonly current: RecordData,
    readonly ifMatch: IfMatch,
  ) {
    super(`Record '${current.id}' changed since version ${ifMatch.given}.`);
  }
}
