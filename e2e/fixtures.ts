import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { HeadlessServer } from './headless-server';

export { expect } from '@playwright/test';

/** Each test gets its own headless server on a free port with a fresh data directory. */
export const test = base.extend<{ server: HeadlessServer }>({
  server: async ({}, use, testInfo) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-'));
    const server = new HeadlessServer(dataDir);
    try {
      await server.start();
      await use(server);
    } finally {
      await server.stop();
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server.log', { body: server.log, contentType: 'text/plain' });
      }
      await rm(dataDir, { recursive: true, force: true });
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
