/**
 * How Chromium is launched for Playwright, by the e2e specs (playwright.config.ts) and the
 * bench's browser sections alike. Free of vitest and of server imports.
 */

/** note: Debian's Chromium; Playwright's own browser downloads are not used (`npx playwright install` is never run). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Playwright's `launchOptions` for it: no sandbox (containers), no GPU, nothing fetched in the background. */
export const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM_PATH,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
};
