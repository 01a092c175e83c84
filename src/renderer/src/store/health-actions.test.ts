import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAppStore } from './index';
import { checkHealth, startHealthPolling } from './health-actions';
import { initialHealth } from './health-slice';

const SERVER = 'http://127.0.0.1:8000';
const HEALTH = { status: 'ok', version: '0.1.0', uptime_s: 42, started_at: '2026-01-01T00:00:00.000Z' };

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('health actions', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock);
    useAppStore.setState({ connection: { serverUrl: SERVER, adminToken: null }, health: initialHealth });
  });
  afterEach(() => {
    fetchMock.mockReset();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('marks the server up with what /api/v1/health answered', async () => {
    fetchMock.mockResolvedValueOnce(json(HEALTH));
    await checkHealth();
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe(`${SERVER}/api/v1/health`);
    expect(useAppStore.getState().health).toMatchObject({
      status: 'up',
      info: HEALTH,
      error: null,
      checking: false,
    });
  });

  it('says the server cannot be reached when the request fails', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await checkHealth();
    expect(useAppStore.getState().health).toMatchObject({
      status: 'error',
      error: `Cannot reach the server at ${SERVER}.`,
    });
  });

  it('shows the error envelope of a failed response', async () => {
    fetchMock.mockResolvedValueOnce(json({ error: { code: 'unavailable', message: 'Shutting down' } }, 503));
    await checkHealth();
    expect(useAppStore.getState().health.error).toBe('The server answered 503: Shutting down (unavailable).');
  });

  it('rejects a body that is not a health response', async () => {
    fetchMock.mockResolvedValueOnce(json({ status: 'ok' }));
    await checkHealth();
    expect(useAppStore.getState().health.error).toBe(
      `The server at ${SERVER} sent an unexpected health response.`,
    );
  });

  it('keeps the last good info while the server is down', async () => {
    fetchMock.mockResolvedValueOnce(json(HEALTH)).mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await checkHealth();
    await checkHealth();
    expect(useAppStore.getState().health).toMatchObject({ status: 'error', info: HEALTH });
  });

  it('shares one request between concurrent checks', async () => {
    fetchMock.mockResolvedValue(json(HEALTH));
    await Promise.all([checkHealth(), checkHealth(), checkHealth()]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('reports that there is no server when the console has no URL', async () => {
    useAppStore.setState({ connection: { serverUrl: null, adminToken: null } });
    await checkHealth();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(useAppStore.getState().health.error).toMatch(/^No server to talk to/);
  });

  it('polls after each check finishes and stops when asked', async () => {
    vi.useFakeTimers();
    fetchMock.mockImplementation(async () => json(HEALTH));
    const stop = startHealthPolling(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
