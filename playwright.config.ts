import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './tests/helpers/chromium';

/**
 * End-to-end tests: the console in a real browser against a real headless server (each test starts its own,
 * see e2e/fixtures.ts), and the desktop app through Playwright's Electron driver when its binary exists.
 */
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // note: each test starts its own server; two at a time keeps a 2-core CI box busy without starving either.
  workers: 2,
  // note: one retry: the box is shared and a test that passes on retry is reported as flaky, not hidden.
  retries: 1,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  timeout: 30_000,
  // note: generous for a loaded 2-core machine: a server start, a build of a lazy chunk, a reconnect.
  expect: { timeout: 12_000 },
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /electron\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        launchOptions: CHROMIUM_LAUNCH,
      },
    },
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
  ],
});
