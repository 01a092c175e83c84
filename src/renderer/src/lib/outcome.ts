/** The result of a mutation an action ran for a dialog: ok with a value, or the error to show. */
import { toResourceError, type ResourceError } from '../store/resource';

/** What a mutation came to: ok, or the error to show (with per-field messages in `error.fields`). */
export type Outcome<T = void> = { ok: true; value: T } | { ok: false; error: ResourceError };

/** Runs a mutation and turns a throw into an outcome. */
export async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: toResourceError(e) };
  }
}
