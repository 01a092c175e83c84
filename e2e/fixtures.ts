import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import { removeDir, tempDir } from '../tests/helpers/cleanup';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../tests/helpers/credentials';
import { HeadlessServer } from './headless-server';

export { expect };

/** Where a server listens: the fixture's, or one a spec started itself (a cluster's primary). */
export type ServerAt = Pick<HeadlessServer, 'url'>;

/** Each test gets its own headless server on a free port with a fresh data directory. */
export const test = base.extend<{ server: HeadlessServer }>({
  server: async ({}, use, testInfo) => {
    const dataDir = tempDir('switchboard-e2e-');
    const server = new HeadlessServer(dataDir);
    try {
      await server.start();
      await use(server);
    } finally {
      await server.stop();
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server.log', { body: server.log, contentType: 'text/plain' });
      }
      removeDir(dataDir);
    }
  },
});

/**
 * Holds the page's requests to `url` (those `which` picks; all by default) until the returned
 * function is called, so a test can look at the page while it waits for the server.
 */
export async function holdRequests(
  page: Page,
  url: string,
  which: (method: string) => boolean = () => true,
): Promise<() => void> {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(url, async (route) => {
    if (which(route.request().method())) await held;
    await route.continue();
  });
  return release;
}

/** The fixture server's superuser: the tests' (tests/helpers/credentials.ts), as every spawned server has. */
export const ADMIN = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };

/** A real login through the API; returns the access token. */
export async function apiLogin(
  request: APIRequestContext,
  server: ServerAt,
  who: { email: string; password: string } = ADMIN,
): Promise<string> {
  const response = await request.post(`${server.url}/api/v1/auth/login`, { data: who });
  if (response.status() !== 200)
    throw new Error(`login failed: ${response.status()} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A JSON request to the API as `token`; throws unless the status is `expect`. */
export async function api<T = unknown>(
  request: APIRequestContext,
  server: ServerAt,
  token: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown,
): Promise<T> {
  const response = await request.fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(data === undefined ? {} : { data }),
  });
  if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
  return (response.status() === 204 ? undefined : await response.json()) as T;
}

/** Opens the console in a browser and signs in through the login form; resolves once the shell shows. */
export async function signIn(
  page: Page,
  server: ServerAt,
  who: { email: string; password: string } = ADMIN,
  hash = '',
): Promise<void> {
  await page.goto(`${server.url}/${hash}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

/** Opens the console as the desktop app does: with the bridge's server URL and admin token. */
export async function openAsDesktop(page: Page, server: ServerAt, token: string, hash = ''): Promise<void> {
  await page.addInitScript((bridge) => Object.assign(globalThis, { switchboard: bridge }), {
    serverUrl: server.url,
    adminToken: token,
  });
  await page.goto(`${server.url}/${hash}`);
}

/** Forces the page's colour scheme (the console follows it unless a theme was chosen). */
export async function setScheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
}

/** Serious or critical axe violations on the page as it is now (ids and where). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
