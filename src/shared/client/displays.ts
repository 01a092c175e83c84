/**
 * SDK helpers for display pages and LAN sharing (wire shapes in ../displays.ts): the admin REST
 * routes `/api/v1/displays…` and `/api/v1/sharing`. Environment-neutral, like the rest of the SDK.
 *
 * ```ts
 * const d = displaysApi({ url: () => base, token: () => sb.token });
 * const lobby = await d.create({ name: 'Lobby', collection: 'slides', config: { layout: 'rotate' } });
 * ```
 */
import type { Display, DisplayInput, DisplayPatch, SharingStatus } from '../displays';
import { apiContext, requestJson, type ApiOptions } from './rest';

/** Displays of the caller's account, and the superuser's LAN switch. */
export interface DisplaysApi {
  list(): Promise<{ items: Display[] }>;
  get(id: string): Promise<Display>;
  create(input: DisplayInput): Promise<Display>;
  update(id: string, patch: DisplayPatch): Promise<Display>;
  delete(id: string): Promise<void>;
  /** A new key for the display (the old one, if any, stops working): its screens need the new URL. */
  newKey(id: string): Promise<Display>;
  /** Revokes the display's key: its screens close and show that their access was revoked. */
  revokeKey(id: string): Promise<Display>;
  sharing(): Promise<SharingStatus>;
  share(lan: boolean): Promise<SharingStatus>;
}

const seg = encodeURIComponent;

export function displaysApi(options: ApiOptions): DisplaysApi {
  const ctx = apiContext(options);
  const req = <T>(method: string, path: string, body?: unknown) => requestJson<T>(ctx, method, path, body);
  return {
    list: () => req('GET', '/api/v1/displays'),
    get: (id) => req('GET', `/api/v1/displays/${seg(id)}`),
    create: (input) => req('POST', '/api/v1/displays', input),
    update: (id, patch) => req('PATCH', `/api/v1/displays/${seg(id)}`, patch),
    delete: (id) => req('DELETE', `/api/v1/displays/${seg(id)}`),
    newKey: (id) => req('POST', `/api/v1/displays/${seg(id)}/key`),
    revokeKey: (id) => req('DELETE', `/api/v1/displays/${seg(id)}/key`),
    sharing: () => req('GET', '/api/v1/sharing'),
    share: (lan) => req('PUT', '/api/v1/sharing', { lan }),
  };
}
