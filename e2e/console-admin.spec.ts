import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ADMIN, api, apiLogin, expect, seriousViolations, setScheme, signIn, test } from './fixtures';
import { root } from './headless-server';

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(root, 'docs/screenshots', `${name}.png`) });
}

test('creates a user, changes and deletes it; creates a scoped key shown once', async ({
  page,
  request,
  server,
}) => {
  const token = await apiLogin(request, server);
  await api(request, server, token, 'POST', '/api/v1/collections', {
    name: 'menu',
    fields: [{ name: 'item', type: 'text' }],
    rules: { list: 'auth', view: 'auth' },
  });
  await signIn(page, server, undefined, '#/users');
  await expect(page.getByRole('table', { name: 'Users' })).toBeVisible();

  // Create: the server's validation message lands on its field.
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByTestId('user-dialog');
  await dialog.getByLabel('Email').fill('ann@example.test');
  await dialog.getByLabel('Password').fill('short');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.getByText('must be at least 8 characters')).toBeVisible();
  await expect(dialog.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, 'user-dialog-light');
  await dialog.getByLabel('Password').fill('long-enough-1');
  await dialog.getByLabel('Role').selectOption('viewer');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog).toHaveCount(0);
  const row = page.getByTestId('row-ann@example.test');
  await expect(row).toContainText('viewer');

  // Keyboard: arrows move between rows, Enter opens; Esc closes.
  await page.getByTestId(`row-${ADMIN.email}`).focus();
  await page.keyboard.press('ArrowDown');
  await expect(row).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/users\?user=/);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await row.click();
  await dialog.getByLabel('Role').selectOption('editor');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('editor');

  await row.click();
  await dialog.getByRole('button', { name: 'Delete user' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('ann@example.test will no longer be able to sign in');
  await confirm.getByRole('button', { name: 'Delete user' }).click();
  await expect(row).toHaveCount(0);

  // A key limited to one collection; its secret is shown once.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'No API keys yet' })).toBeVisible();
  await page.getByRole('button', { name: 'New key' }).first().click();
  const keyDialog = page.getByTestId('key-dialog');
  await keyDialog.getByLabel('Name').fill('Lobby display');
  await keyDialog.getByRole('checkbox', { name: 'menu' }).check();
  await keyDialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByTestId('key-created');
  const secret = await created.getByTestId('new-key-secret').textContent();
  expect(secret).toMatch(/\S{20,}/);
  await expect(created.getByRole('button', { name: 'Copy key' })).toBeVisible();
  await screenshot(page, 'key-created-light');
  await created.getByRole('button', { name: 'Done' }).click();
  const keyRow = page.getByTestId('row-Lobby display');
  await expect(keyRow).toContainText('menu');
  await expect(page.getByText(secret!)).toHaveCount(0);

  // The key works, for its collection only.
  const ok = await request.get(`${server.url}/api/v1/collections/menu/records`, {
    headers: { authorization: `Bearer ${secret}` },
  });
  expect(ok.status()).toBe(200);
});

test('the login screen has no serious accessibility violations; screenshots in light and dark', async ({
  page,
  server,
}) => {
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await page.goto(server.url);
    await expect(page.getByTestId('login-form')).toBeVisible();
    await screenshot(page, `login-${scheme}`);
    expect(await seriousViolations(page)).toEqual([]);
  }
});

test('users, keys and settings have no serious accessibility violations; screenshots', async ({
  page,
  request,
  server,
}) => {
  // note: each axe run takes seconds on a busy 2-core host; four of them need more than the default 30 s.
  test.slow();
  const token = await apiLogin(request, server);
  await api(request, server, token, 'POST', '/api/v1/collections', {
    name: 'posts',
    fields: [{ name: 'title', type: 'text' }],
  });
  for (const [email, role] of [
    ['editor@example.test', 'editor'],
    ['viewer@example.test', 'viewer'],
  ]) {
    await api(request, server, token, 'POST', '/api/v1/users', { email, password: 'password-123', role });
  }
  await api(request, server, token, 'POST', '/api/v1/keys', {
    name: 'Lobby display',
    collections: ['posts'],
  });

  await signIn(page, server, undefined, '#/users');
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await expect(page.getByTestId('row-viewer@example.test')).toBeVisible();
    await expect(page.getByTestId('connection-status')).toHaveText('Live');
    await screenshot(page, `users-${scheme}`);
    expect(await seriousViolations(page)).toEqual([]);
  }
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByTestId('row-Lobby display')).toBeVisible();
  await page.getByRole('button', { name: 'New key' }).click();
  await expect(page.getByTestId('key-dialog')).toBeVisible();
  await screenshot(page, 'key-dialog-dark');
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('key-dialog')).toHaveCount(0);
  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByTestId('scale-out')).toBeVisible();
  await screenshot(page, 'settings-dark');
  expect(await seriousViolations(page)).toEqual([]);
});
