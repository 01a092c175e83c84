import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, api, apiLogin, expect, signIn, test } from './fixtures';
import { root } from './headless-server';

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

test('signs in; a wrong password and a rate limit show on the form', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page).toHaveTitle('Switchboard');
  const form = page.getByTestId('login-form');
  await form.getByLabel('Email').fill(ADMIN.email);
  await form.getByLabel('Password').fill('not-the-password');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(form.getByTestId('login-error')).toHaveText('Wrong email or password.');

  // The server's rate limit takes ten failures; its answer is what matters here.
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({
      status: 429,
      contentType: 'application/json',
      body: JSON.stringify({
        error: {
          code: 'rate_limited',
          message: 'Too many failed logins; try again in 2 s.',
          details: { retry_after_s: 2 },
        },
      }),
    }),
  );
  await form.getByLabel('Password').fill('still-wrong');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(form.getByTestId('login-error')).toHaveText(
    /^Too many failed sign-ins\. Try again in [12] s\.$/,
  );
  await expect(form.getByRole('button', { name: /^Wait [12] s$/ })).toBeDisabled();
  await page.unroute('**/api/v1/auth/login');

  await form.getByLabel('Password').fill(ADMIN.password);
  await expect(form.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText('Live');
  await expect(page.getByTestId('whoami')).toHaveText(ADMIN.email);
});

test('navigates by the sidebar; deep links, the session and the theme survive a reload', async ({
  page,
  request,
  server,
}) => {
  await signIn(page, server);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByText('No collections yet')).toBeVisible();

  // A collection created elsewhere appears in the sidebar live (a collection.created event).
  const token = await apiLogin(request, server);
  await api(request, server, token, 'POST', '/api/v1/collections', {
    name: 'posts',
    fields: [{ name: 'title', type: 'text', required: true }],
  });
  await nav.getByRole('link', { name: 'posts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'posts' })).toBeVisible();
  await expect(page).toHaveURL(/#\/collections\/posts$/);

  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByTestId('health-version')).toHaveText(version);
  await expect(page.getByTestId('health-url')).toHaveText(server.url);
  await nav.getByRole('link', { name: /Monitor/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Monitor' })).toBeVisible();

  const hello = encodeURIComponent('{"title":"hello"}');
  await page.goto(`${server.url}/#/collections/posts?filter=${hello}&sort=-created_at`);
  const filter = page.getByTestId('records-filter');
  await expect(filter).toHaveText('{"title":"hello"}');
  await filter.fill('{"title":"bye"}');
  await filter.press('Enter');
  await expect(page).toHaveURL(
    new RegExp(`filter=${encodeURIComponent('{"title":"bye"}').replace(/[()]/g, '\\$&')}`),
  );

  await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'posts' })).toBeVisible();
  await expect(filter).toHaveText('{"title":"bye"}');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.locator('body').press('/');
  await expect(filter).toBeFocused();

  await nav.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('login-form')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('login-form')).toBeVisible();
});

test('the session ends when the server revokes it', async ({ page, request, server }) => {
  const token = await apiLogin(request, server);
  const editor = { email: 'ed@example.test', password: 'ed-password-1' };
  const user = await api<{ id: string }>(request, server, token, 'POST', '/api/v1/users', {
    ...editor,
    role: 'admin',
  });
  await signIn(page, server, editor);
  await expect(page.getByTestId('connection-status')).toHaveText('Live');

  // A new password ends the user's logins: the server closes the socket (4001) and refuses the refresh.
  await api(request, server, token, 'PATCH', `/api/v1/users/${user.id}`, { password: 'another-password' });
  await expect(page.getByTestId('login-notice')).toContainText('You were signed out');
  await page.reload();
  await expect(page.getByTestId('login-form')).toBeVisible();
});
