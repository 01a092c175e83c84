import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, holdRequests, test } from './fixtures';
import { root } from './headless-server';

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

test('the console loads and shows the server is up with its version', async ({ page, server }) => {
  await page.goto(server.url);

  await expect(page).toHaveTitle('Switchboard');
  await expect(page.getByRole('heading', { name: 'Switchboard' })).toBeVisible();
  await expect(page.getByTestId('health-up')).toBeVisible();
  await expect(page.getByTestId('status-pill')).toHaveText('Server up');
  await expect(page.getByTestId('health-version')).toHaveText(version);
  await expect(page.getByTestId('health-url')).toHaveText(server.url);
  await expect(page.getByTestId('health-uptime')).toHaveText(/^\d+(s|m \d+s)$/);
  await expect(page.getByTestId('health-started-at')).toHaveAttribute('title', /^\d{4}-\d\d-\d\dT/);
});

test('the health endpoint answers with the package version', async ({ request, server }) => {
  const response = await request.get(`${server.url}/api/v1/health`);
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok', version });
});

test('shows the error state when the server stops and recovers on Retry after a restart', async ({
  page,
  server,
}) => {
  await page.goto(server.url);
  await expect(page.getByTestId('health-up')).toBeVisible();

  await server.stop();
  await expect(page.getByTestId('health-error')).toBeVisible();
  await expect(page.getByTestId('status-pill')).toHaveText('Server down');
  await expect(page.getByRole('alert')).toHaveText(`Cannot reach the server at ${server.url}.`);

  await server.start(server.port);
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('health-up')).toBeVisible();
  await expect(page.getByTestId('health-version')).toHaveText(version);
});

test('shows connecting until the first health answer arrives', async ({ page, server }) => {
  const release = await holdRequests(page, '**/api/v1/health');

  await page.goto(server.url);
  await expect(page.getByTestId('health-loading')).toContainText(`Connecting to ${server.url}`);
  await expect(page.getByTestId('status-pill')).toHaveText('Connecting');

  release();
  await expect(page.getByTestId('health-up')).toBeVisible();
});

test('shows the server’s error envelope when health fails', async ({ page, server }) => {
  await page.route('**/api/v1/health', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'unavailable', message: 'Shutting down' } }),
    }),
  );

  await page.goto(server.url);
  await expect(page.getByRole('alert')).toHaveText('The server answered 503: Shutting down (unavailable).');
  await expect(page.getByRole('button', { name: 'Retry' })).toBeEnabled();
});
