import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { credentialOf } from './credential';

const req = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;
const url = (query = '') => new URL(`http://localhost/api/v1/ws/realtime${query}`);

describe('credentialOf (the one credential reader)', () => {
  it('reads Authorization: Bearer, case-insensitively and trimmed', () => {
    expect(credentialOf(req({ authorization: 'Bearer abc.def' }), url())).toBe('abc.def');
    expect(credentialOf(req({ authorization: 'bearer   abc ' }), url())).toBe('abc');
    expect(credentialOf(req({ authorization: 'BEARER\tabc' }), url())).toBe('abc');
  });

  it('reads ?token= when there is no header', () => {
    expect(credentialOf(req(), url('?token=sbk_q'))).toBe('sbk_q');
    expect(credentialOf(req(), url('?a=1&token=%20t%20'))).toBe('t');
  });

  it('prefers the header when both are sent', () => {
    expect(credentialOf(req({ authorization: 'Bearer head' }), url('?token=query'))).toBe('head');
  });

  it('ignores a malformed Authorization header and falls back to ?token=', () => {
    for (const h of ['Basic dXNlcjpwdw==', 'Bearer', 'Bearer ', 'Bearertoken', 'Bearer a b', 'Token abc']) {
      expect(credentialOf(req({ authorization: h }), url()), h).toBeUndefined();
      expect(credentialOf(req({ authorization: h }), url('?token=q')), h).toBe('q');
    }
  });

  it('treats an empty token as absent', () => {
    expect(credentialOf(req(), url('?token='))).toBeUndefined();
    expect(credentialOf(req(), url('?token=%20'))).toBeUndefined();
    expect(credentialOf(req({ authorization: '' }), url('?token='))).toBeUndefined();
    expect(credentialOf(req(), url())).toBeUndefined();
  });

  it('consults a dialect’s own header credentials after Authorization and before ?token=', () => {
    const other = () => 'from-other';
    expect(credentialOf(req({ authorization: 'Bearer head' }), url('?token=q'), other)).toBe('head');
    expect(credentialOf(req(), url('?token=q'), other)).toBe('from-other');
    expect(credentialOf(req(), url('?token=q'), () => undefined)).toBe('q');
    expect(credentialOf(req(), url('?token=q'), () => ' ')).toBe('q');
  });
});
