import type { APIRequestContext } from '@playwright/test';
import { freePort, startRedis } from '../tests/helpers/redis';
import { api, apiLogin, expect, holdRequests, openAsDesktop, signIn, test } from './fixtures';
import type { HeadlessServer } from './headless-server';

const SINGLE = 'Single process (in-memory pub/sub)';

async function pubsubBackend(request: APIRequestContext, server: HeadlessServer, token: string) {
  return (await api<{ pubsub_backend: string }>(request, server, token, 'GET', '/api/v1/stats'))
    .pubsub_backend;
}

test('an admin who is not the owner is told scale-out is the owner’s', async ({ page, request, server }) => {
  const token = await apiLogin(request, server);
  const other = { email: 'ops@example.test', password: 'ops-password-1' };
  await api(request, server, token, 'POST', '/api/v1/users', { ...other, role: 'admin' });
  await signIn(page, server, other, '#/settings');
  await expect(page.getByTestId('scale-out-locked')).toContainText('Only the server’s owner');
  await expect(page.getByLabel('Redis URL')).toHaveCount(0);
});

test('the desktop owner sees a single process and the server’s reason for a URL it cannot use', async ({
  page,
  request,
  server,
}) => {
  const token = await apiLogin(request, server);
  await openAsDesktop(page, server, token, '#/settings');

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

  const nobody = `redis://127.0.0.1:${await freePort()}`;
  await input.fill(nobody);
  await card.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(card.getByRole('alert')).toHaveText(/^could not be used: .*ECONNREFUSED/);
  await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);
  expect(await pubsubBackend(request, server, token)).toBe('memory');
});

test('connects to a real Redis and disconnects again', async ({ page, request, server }) => {
  const redis = await startRedis();
  try {
    const token = await apiLogin(request, server);
    await openAsDesktop(page, server, token, '#/settings');
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
    expect(await pubsubBackend(request, server, token)).toBe('redis');

    await card.getByRole('button', { name: 'Disconnect' }).click();
    await expect(card.getByTestId('scale-out-state')).toHaveText(SINGLE);
    expect(await pubsubBackend(request, server, token)).toBe('memory');
  } finally {
    await redis.cleanup();
  }
});

test('shows the error with Retry when the settings cannot be read, and loading while they come', async ({
  page,
  request,
  server,
}) => {
  const token = await apiLogin(request, server);
  await page.route('**/api/v1/settings', (route) =>
    route.fulfill({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'internal', message: 'Something went wrong' } }),
    }),
  );
  await openAsDesktop(page, server, token, '#/settings');
  const failed = page.getByTestId('scale-out-error');
  await expect(failed.getByRole('alert')).toHaveText('Something went wrong');

  await page.unroute('**/api/v1/settings');
  const release = await holdRequests(page, '**/api/v1/settings');
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('scale-out-loading')).toContainText('Loading settings…');
  release();
  await expect(page.getByTestId('scale-out').getByTestId('scale-out-state')).toHaveText(SINGLE);
});
