import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { api, apiLogin, expect, seriousViolations, setScheme, signIn, test } from './fixtures';
import { root } from './headless-server';

const posts = {
  name: 'posts',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'n', type: 'number' },
  ],
  rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
};

/** Saves the page as docs/screenshots/monitor-NAME-{light,dark}.png (README). */
async function screenshot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await page.screenshot({ path: join(root, 'docs/screenshots', `monitor-${name}-${scheme}.png`) });
  }
  await setScheme(page, 'light');
}

test('the stream is prefilled from the event log, and goes to a seq', async ({ page, server }) => {
  // note: an axe run takes seconds on a busy 2-core host; with sign-in and paging it needs more than 30 s.
  test.slow();
  await page.setViewportSize({ width: 1440, height: 860 });
  const admin = await apiLogin(page.request, server);
  await api(page.request, server, admin, 'POST', '/api/v1/collections', posts);
  for (const [i, title] of ['alpha', 'beta', 'gamma'].entries())
    await api(page.request, server, admin, 'POST', '/api/v1/collections/posts/records', { title, n: i });

  // Prefill: the collection's creation and the three records, without touching "Older".
  await signIn(page, server, undefined, '#/monitor');
  const rows = page.getByTestId('event-row');
  await expect(rows).toHaveCount(4);
  await expect(page.getByRole('heading', { name: 'No events yet' })).toHaveCount(0);
  await expect(rows.first()).toHaveAttribute('data-seq', '4');
  // A live event goes on top, once.
  await api(page.request, server, admin, 'POST', '/api/v1/collections/posts/records', {
    title: 'delta',
    n: 3,
  });
  await expect(rows).toHaveCount(5);
  await expect(rows.first()).toHaveAttribute('data-seq', '5');

  // Go to a seq: it opens; one beyond the log says so.
  const goto = page.getByLabel('Go to seq or time');
  await goto.fill('3');
  await goto.press('Enter');
  const detail = page.getByTestId('event-detail');
  await expect(detail.getByRole('tree', { name: 'Payload' })).toContainText('"beta"');
  await expect(page.locator('[data-testid="event-row"][data-seq="3"]')).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await goto.fill('99');
  await goto.press('Enter');
  await expect(page.getByTestId('goto-error')).toHaveText(
    'Seq 99 is beyond the event log: the last seq is 5.',
  );
  // The replay bar, without a test client yet, says what to do first.
  await page.getByRole('button', { name: 'Replay…' }).click();
  const bar = page.getByTestId('replay-bar');
  await expect(bar.getByRole('button', { name: 'Connect a test client first' })).toBeVisible();
  await expect(bar.getByRole('button', { name: 'Replay in playground' })).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
});

test('a range selected in the stream replays into the playground client, as its frames', async ({
  page,
  server,
}) => {
  // note: four full-page screenshots (light and dark) take seconds each on a busy 2-core host.
  test.slow();
  await page.setViewportSize({ width: 1440, height: 860 });
  const admin = await apiLogin(page.request, server);
  await api(page.request, server, admin, 'POST', '/api/v1/collections', posts);
  for (const [i, title] of ['alpha', 'beta', 'gamma'].entries())
    await api(page.request, server, admin, 'POST', '/api/v1/collections/posts/records', { title, n: i });

  // A test client in the playground (it stays connected while the Events tab is open).
  await signIn(page, server, undefined, '#/monitor?tab=playground');
  await page.getByRole('textbox', { name: 'Collection' }).fill('posts');
  await page.getByRole('button', { name: 'Connect' }).click();
  const frames = page.getByTestId('playground-frame');
  await expect(frames.filter({ hasText: '"subscribed"' })).toHaveCount(1);
  const id = await page.getByTestId('playground-connection').getAttribute('data-id');
  expect(id).toBeTruthy();
  await expect(frames.filter({ hasText: 'record.created' })).toHaveCount(0);

  // Select seqs 2-4 (click, then Shift+click) and replay them.
  await page.getByRole('tab', { name: 'Events' }).click();
  await expect(page.getByTestId('event-row')).toHaveCount(4);
  await page.locator('[data-testid="event-row"][data-seq="2"]').click();
  await page.locator('[data-testid="event-row"][data-seq="4"]').click({ modifiers: ['Shift'] });
  await expect(page.locator('.mon-selected[data-testid="event-row"]')).toHaveCount(3);
  const bar = page.getByTestId('replay-bar');
  await expect(bar.getByLabel('From seq')).toHaveValue('2');
  await expect(bar.getByLabel('To seq')).toHaveValue('4');
  await expect(bar.getByTestId('replay-summary')).toHaveText('3 seqs · 3 shown here');
  await expect(bar).toContainText(id!);
  // Esc closes the open event (the first click opened seq 2); the range stays selected.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('event-detail')).toHaveCount(0);
  await expect(page.locator('.mon-selected[data-testid="event-row"]')).toHaveCount(3);
  await screenshot(page, 'replay-range');
  await bar.getByRole('button', { name: 'Replay in playground' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Replayed seqs 2–4' })).toContainText(
    '3 frames sent',
  );

  await page.getByRole('tab', { name: 'Playground' }).click();
  const replayed = frames.filter({ hasText: 'record.created' });
  await expect(replayed).toHaveCount(3);
  // Newest first in the list: the replay went out in seq order (alpha, beta, gamma).
  await expect(replayed.nth(0)).toContainText('gamma');
  await expect(replayed.nth(2)).toContainText('alpha');
  await expect(frames.filter({ hasText: 'Replayed seqs 2–4 (3 events): 3 frames sent' })).toHaveCount(1);
  await replayed.nth(1).click();
  await screenshot(page, 'replay-playground');
});

test('opening the monitor: a loading state, an error with retry, and "No events yet" only for an empty log', async ({
  page,
  server,
}) => {
  let fail = true;
  await page.route('**/api/v1/monitor/history', async (route) => {
    if (fail)
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'unavailable', message: 'The log is busy.' } }),
      });
    else await route.continue();
  });
  await signIn(page, server, undefined, '#/monitor');
  const error = page.getByTestId('error-state');
  await expect(error).toContainText('Could not load the event log');
  await expect(error).toContainText('The log is busy.');
  fail = false;
  await error.getByRole('button', { name: 'Retry' }).click();
  // A fresh server's log is empty: now, and only now, "No events yet".
  await expect(page.getByRole('heading', { name: 'No events yet' })).toBeVisible();
  const admin = await apiLogin(page.request, server);
  await api(page.request, server, admin, 'POST', '/api/v1/collections', posts);
  await expect(page.getByTestId('event-row')).toHaveCount(1);
});

test('a FastSchema test client is found on the monitor, and a range typed in the bar replays in its format', async ({
  page,
  server,
}) => {
  const admin = await apiLogin(page.request, server);
  await api(page.request, server, admin, 'POST', '/api/v1/collections', posts);
  for (const title of ['one', 'two', 'three'])
    await api(page.request, server, admin, 'POST', '/api/v1/collections/posts/records', { title });
  await signIn(page, server, undefined, '#/monitor?tab=playground');
  await page.getByLabel('Dialect').selectOption('fastschema');
  await page.getByRole('textbox', { name: 'Collection' }).fill('posts');
  await page.getByRole('button', { name: 'Connect' }).click();
  // FastSchema says nothing on connect: the console matches the new connection on the monitor.
  const line = page.getByTestId('playground-connection');
  await expect(line).toHaveAttribute('data-id', /.+/);
  const id = await line.getAttribute('data-id');

  await page.getByRole('tab', { name: 'Events' }).click();
  await page.getByRole('button', { name: 'Replay…' }).click();
  const bar = page.getByTestId('replay-bar');
  await bar.getByLabel('From seq').fill('3');
  await bar.getByLabel('To seq').fill('4');
  await expect(page.locator('.mon-selected[data-testid="event-row"]')).toHaveCount(2);
  await expect(bar).toContainText(id!);
  await bar.getByRole('button', { name: 'Replay in playground' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Replayed seqs 3–4' })).toContainText(
    '2 frames sent',
  );

  await page.getByRole('tab', { name: 'Playground' }).click();
  const frames = page.getByTestId('playground-frame').filter({ hasText: '"event":"create"' });
  await expect(frames).toHaveCount(2);
  await expect(frames.nth(0)).toContainText('"three"');
  await expect(frames.nth(1)).toContainText('"two"');
});
