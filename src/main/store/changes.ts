import type { ApiKey } from './keys';

/** Changes to credentials that other parts (the hub, a cluster's edges) must act on at once. */
export type CredentialChange =
  | { kind: 'key.saved'; key: ApiKey; hash: string }
  | { kind: 'key.deleted'; id: string }
  | { kind: 'session.revoked'; id: string }
  /** Every token of this user issued before `at` (ms) stops working: deleted, new password, role or account. */
  | { kind: 'user.revoked'; id: string; at: number };

/** A tiny synchronous emitter; a listener that throws never affects the change itself. */
export class Changes {
  private listeners = new Set<(c: CredentialChange) => void>();

  on(fn: (c: CredentialChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(c: CredentialChange): void {
    for (const fn of this.listeners) {
      try {
        fn(c);
      } catch {
        // note: listeners log their own failures; a credential change must still complete.
      }
    }
  }
}
