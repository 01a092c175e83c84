/**
 * Where the primary keeps, in Redis, the state every edge mirrors (besides the event stream): API keys,
 * collections, the public key that verifies tokens, and revocations. primary-sync.ts writes it, edge-state.ts reads it.
 */
export const STATE_KEYS = {
  /** hash: API key hash -> JSON {id, role, account, collections} */
  apiKeys: 'switchboard:keys',
  /** hash: collection name -> JSON Collection */
  collections: 'switchboard:collections',
  /** string: the primary's public JWK, JSON */
  jwk: 'switchboard:jwk',
  /** pub/sub: JSON RevocationMessage */
  revocations: 'switchboard:revocations',
  /** prefix of `…:session:<id>` and `…:user:<id>` (value: ms since epoch), expiring with access tokens */
  revokedPrefix: 'switchboard:revoked:',
} as const;

/** What the primary publishes when a credential stops being valid. */
export type RevocationMessage =
  | { kind: 'key'; id: string; hash?: string }
  | { kind: 'session'; id: string }
  | { kind: 'user'; id: string; at: number };

/** An API key as an edge needs it to build a principal. */
export interface ApiKeyEntry {
  id: string;
  role: 'admin' | 'editor' | 'viewer';
  account: string;
  collections: string[] | null;
}
