import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchScaleOut, saveRedisUrl, SettingsApiError } from './settings-api';

const SERVER = 'http://127.0.0.1:8000';
const OFF = { redis_url: null, source: null, state: 'off', editable: true };
const CONNECTED = {
  redis_url: 'redis://127.0.0.1:6379',
  source: 'setting',
  state: 'connected',
  editable: true,
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('settings api', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => vi.stubGlobal('fetch', fetchMock));
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
  });

  it('reads the scale-out status with the admin token', async () => {
    fetchMock.mockResolvedValueOnce(json({ scale_out: OFF }));
    await expect(fetchScaleOut(SERVER, 'jwt')).resolves.toEqual(OFF);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(String(url)).toBe(`${SERVER}/api/v1/settings`);
    expect(init).toMatchObject({ method: 'GET', headers: { authorization: 'Bearer jwt' } });
    expect(init?.body).toBeUndefined();
  });

  it('patches the Redis URL as JSON and returns the applied status', async () => {
    fetchMock.mockResolvedValueOnce(json({ scale_out: CONNECTED }));
    await expect(saveRedisUrl(SERVER, 'jwt', 'redis://127.0.0.1:6379')).resolves.toEqual(CONNECTED);
    const init = fetchMock.mock.calls[0]![1];
    expect(init).toMatchObject({
      method: 'PATCH',
      headers: { authorization: 'Bearer jwt', 'content-type': 'application/json' },
      body: '{"redis_url":"redis://127.0.0.1:6379"}',
    });
  });

  it('sends null to go back to a single process', async () => {
    fetchMock.mockResolvedValueOnce(json({ scale_out: OFF }));
    await saveRedisUrl(SERVER, 'jwt', null);
    expect(fetchMock.mock.calls[0]![1]?.body).toBe('{"redis_url":null}');
  });

  it('carries the server’s reason for a rejected URL', async () => {
    fetchMock.mockResolvedValueOnce(
      json(
        {
          error: {
            code: 'validation_failed',
            message: 'redis_url must start with redis:// or rediss:// (got http://)',
            details: { redis_url: 'must start with redis:// or rediss:// (got http://)' },
          },
        },
        400,
      ),
    );
    const err = await saveRedisUrl(SERVER, 'jwt', 'http://x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsApiError);
    expect(err).toMatchObject({
      message:
        'The server answered 400: redis_url must start with redis:// or rediss:// (got http://) (validation_failed).',
      field: 'must start with redis:// or rediss:// (got http://)',
    });
  });

  it('shows the envelope of a refused read', async () => {
    fetchMock.mockResolvedValueOnce(
      json(
        { error: { code: 'forbidden', message: 'Only the superuser may read or change instance settings.' } },
        403,
      ),
    );
    await expect(fetchScaleOut(SERVER, 'jwt')).rejects.toThrow(
      'The server answered 403: Only the superuser may read or change instance settings. (forbidden).',
    );
  });

  it('falls back to the status text when the body is not an envelope', async () => {
    fetchMock.mockResolvedValueOnce(new Response('oops', { status: 502, statusText: 'Bad Gateway' }));
    await expect(fetchScaleOut(SERVER, 'jwt')).rejects.toThrow('The server answered 502: Bad Gateway.');
  });

  it('says the server cannot be reached when the request fails', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(fetchScaleOut(SERVER, 'jwt')).rejects.toThrow(`Cannot reach the server at ${SERVER}.`);
  });

  it('rejects a body that is not a settings response', async () => {
    fetchMock.mockResolvedValueOnce(json({ scale_out: { ...OFF, state: 'maybe' } }));
    await expect(fetchScaleOut(SERVER, 'jwt')).rejects.toThrow(
      `The server at ${SERVER} sent an unexpected settings response.`,
    );
  });
});
