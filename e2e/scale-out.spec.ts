import type { APIRequestContext, Page } from '@playwright/test';
import { freePort, startRedis } from '../tests/helpers/redis';
import { expect, holdRequests, test } from './fixtures';
import type { HeadlessServer } from './headless-server';

const SINGLE = 'Single process (in-memory pub/sub)';

/** A superuser access token from a real login as the fixture's admin. */
async function adminToken(request: APIRequestContext, server: HeadlessServer): Promise<string> {
  const response = await request.post(`${server.url}/api/v1/auth/login`, {
    data: { email: 'admin@example.test', password: 'e2e-admin-password' },
  });
  expect(response.status()).toBe(200);
  const { access_token } = (await response.json()) as { access_token: string };
  return access_token;
}

/** Opens the console as the desktop app does: with the bridge's server URL and admin token. */
async function openAsAdmin(page: Page, server: HeadlessServer, token: string): Promise<void> {
  await page.addInitScript((bridge) => Object.assign(globalThis, { switchboard: bridge }), {
    serverUrl: server.url,
    adminToken: token,
  });
  await page.goto(server.url);
}

async function pubsubBackend(request: APIRequestContext, server: HeadlessServer, token: string) {
  const response = await request.get(`${server.url}/api/v1/stats`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { pubsub_backend: string }).pubsub_backend;
}

test('a browser without an admin token gets no scale-out card', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('health-up')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Scale-out' })).toHaveCount(0);
  await expect(page.getByLabel('Redis URL')).toHaveCount(0);
});

test('shows a single process and the server’s reason for a URL it cannot use', async ({
  page,
  request,
  server,
}) => {
  const token = await adminToken(request, server);
  await openAsAdmin(page, server, token);

  const card = page.getByTestId('scale-out');
  await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);
  const input = card.getByLabel('Redis URL');
  await expect(input).toHaveAttribute('placeholder', 'redis://127.0.0.1:6379');
  await expect(card.getByRole('button', { name: 'Connect', exact: true })).toBeDisabled();
  await expect(card.getByRole('button', { name: 'Disconnect' })).toHaveCount(0);

  await input.fill('http://x');
  await card.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(card.getByRole('alert')).toHaveText('must start with redis:// or rediss:// (got http://)');
  await expect(input).toHaveValue('http://x');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);

  const nobody = `redis://127.0.0.1:${await freePort()}`;
  await input.fill(nobody);
  await card.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(card.getByRole('alert')).toHaveText(/^could not be used: .*ECONNREFUSED/);
  await expect(input).toHaveValue(nobody);
  await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);
  expect(await pubsubBackend(request, server, token)).toBe('memory');
});

test('connects to a real Redis and disconnects again', async ({ page, request, server }) => {
  const redis = await startRedis();
  try {
    const token = await adminToken(request, server);
    await openAsAdmin(page, server, token);
    const card = page.getByTestId('scale-out');
    await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);

    // Hold the PATCH to see the card while the server connects.
    const release = await holdRequests(page, '**/api/v1/settings', (method) => method === 'PATCH');

    const input = card.getByLabel('Redis URL');
    await input.fill(redis.url);
    await card.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(card.getByRole('button', { name: 'Connecting…' })).toBeDisabled();
    release();
    await expect(card.getByTestId('scale-out-state')).toHaveText(`Relaying to ${redis.url}`);
    await expect(card.getByTestId('scale-out-source')).toHaveText('saved from the console');
    await expect(input).toHaveValue('');
    await expect(card.getByRole('alert')).toHaveCount(0);
    expect(await pubsubBackend(request, server, token)).toBe('redis');

    await card.getByRole('button', { name: 'Disconnect' }).click();
    await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);
    await expect(card.getByRole('button', { name: 'Disconnect' })).toHaveCount(0);
    expect(await pubsubBackend(request, server, token)).toBe('memory');
  } finally {
    await redis.cleanup();
  }
});

test('shows loading until the settings arrive', async ({ page, request, server }) => {
  const token = await adminToken(request, server);
  const release = await holdRequests(page, '**/api/v1/settings');
  await openAsAdmin(page, server, token);

  await expect(page.getByTestId('scale-out-loading')).toContainText('Loading settings…');
  release();
  await expect(page.getByTestId('scale-out').getByTestId('scale-out-state')).toHaveText(SINGLE);
});

test('shows the error state when the settings cannot be read and recovers on Retry', async ({
  page,
  request,
  server,
}) => {
  const token = await adminToken(request, server);
  await page.route('**/api/v1/settings', (route) =>
    route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'internal', message: 'Something went wrong' } }),
    }),
  );
  await openAsAdmin(page, server, token);

  const failed = page.getByTestId('scale-out-error');
  await expect(failed.getByRole('alert')).toHaveText(
    'The server answered 500: Something went wrong (internal).',
  );

  await page.unroute('**/api/v1/settings');
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('scale-out').getByTestId('scale-out-state')).toHaveText(SINGLE);
});
