/**
 * Kiosk displays and LAN sharing, in a real browser against a real server: the sharing switch with its
 * URLs and QR codes; a display made in the console, opened in a second page, live through a change, a
 * server kill and restart (nothing missed, nothing doubled) with its offline badge, a config change, and
 * a revoked key. Screenshots: each layout and the displays screen (light and dark). All traffic stays on
 * 127.0.0.1: the LAN URLs are looked at, never opened.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { api, apiLogin, expect, setScheme, signIn, test } from './fixtures';
import type { HeadlessServer } from './headless-server';
import { root } from './headless-server';

type Display = { id: string; url: string; config: Record<string, unknown> };
const shot = (name: string) => join(root, 'docs/screenshots', `${name}.png`);

async function newsCollection(request: Parameters<typeof api>[0], server: HeadlessServer, token: string) {
  await api(request, server, token, 'POST', '/api/v1/collections', {
    name: 'news',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'body', type: 'text' },
      { name: 'rank', type: 'number' },
    ],
    rules: { list: 'auth', view: 'auth' },
  });
}

const items = (page: Page) => page.getByTestId('display-item');

test('sharing on the LAN shows the URLs with QR codes, and turns off', async ({ page, server }) => {
  await signIn(page, server, undefined, '#/displays');
  const card = page.getByTestId('sharing-card');
  await expect(card.getByText('this machine only')).toBeVisible();
  await card.getByRole('switch', { name: 'Share on the LAN' }).click();
  await expect(card.getByText(/shared · \d+ LAN client/)).toBeVisible();
  await expect(card.getByText(/listening on 0\.0\.0\.0:/)).toBeVisible();
  const urls = card.getByTestId('share-urls');
  // A machine with no network address says so instead.
  await expect(urls.or(card.getByText('No network address found'))).toBeVisible();
  if (await urls.isVisible()) {
    const first = urls.locator('li').first();
    await expect(first.locator('code')).toHaveText(new RegExp(`^http://.+:${server.port}/$`));
    await expect(first.getByRole('img', { name: /^QR code for http/ })).toBeVisible();
    await expect(first.getByRole('button', { name: 'Copy URL' })).toBeVisible();
  }
  await page.screenshot({ path: shot('sharing-on-light') });
  await card.getByRole('switch', { name: 'Share on the LAN' }).click();
  await expect(card.getByText('this machine only')).toBeVisible();
  await expect(card.getByText(/listening on 127\.0\.0\.1:/)).toBeVisible();
});

test('a display stays live through a change, a server restart and a config change; revoking stops it', async ({
  page,
  context,
  request,
  server,
}) => {
  test.setTimeout(90_000);
  const token = await apiLogin(request, server);
  await newsCollection(request, server, token);
  const add = (title: string) =>
    api(request, server, token, 'POST', '/api/v1/collections/news/records', {
      title,
      body: `About ${title}`,
    });
  await add('Doors open at 9');
  await add('Coffee in the hall');

  await signIn(page, server, undefined, '#/displays');
  await page.getByRole('button', { name: 'New display' }).first().click();
  const dialog = page.getByTestId('display-dialog');
  await dialog.getByLabel('Name').fill('Lobby');
  await dialog.getByLabel('Collection').selectOption('news');
  await dialog.getByLabel('Sort').fill('-created_at');
  await dialog.getByRole('button', { name: 'Create display' }).click();
  const card = page.getByTestId('display-card').filter({ hasText: 'Lobby' });
  await expect(card).toBeVisible();

  const [kiosk] = await Promise.all([context.waitForEvent('page'), card.getByTestId('open-display').click()]);
  expect(new URL(kiosk.url()).hostname).toBe('127.0.0.1');
  await expect(items(kiosk)).toHaveCount(2);
  await expect(card.getByTestId('watching')).toHaveText('1');

  // A change arrives live, on top (sorted by -created_at).
  await add('Talk moved to room B');
  await expect(items(kiosk).first()).toContainText('Talk moved to room B');

  // The server goes away: the content stays, and after ~3 s a small badge says so.
  await server.stop();
  const badge = kiosk.getByTestId('offline-badge');
  await expect(badge).toBeVisible();
  await expect(badge).toHaveText(/^Reconnecting · last updated \d\d:\d\d$/);
  await expect(items(kiosk)).toHaveCount(3);
  await server.start(server.port);
  const fresh = await apiLogin(request, server);
  // Written right after the restart, whether or not the page has reconnected yet: it must come once.
  await api(request, server, fresh, 'POST', '/api/v1/collections/news/records', { title: 'Lunch at 12' });
  await expect(badge).toBeHidden();
  await expect(items(kiosk)).toHaveCount(4);
  await expect(items(kiosk).filter({ hasText: 'Lunch at 12' })).toHaveCount(1);

  // Its own settings come live too.
  const list = await api<{ items: Display[] }>(request, server, fresh, 'GET', '/api/v1/displays');
  const lobby = list.items[0]!;
  await api(request, server, fresh, 'PATCH', `/api/v1/displays/${lobby.id}`, {
    config: { layout: 'cards', theme: 'light' },
  });
  await expect(kiosk.getByTestId('display')).toHaveAttribute('data-layout', 'cards');
  await expect(kiosk.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(items(kiosk)).toHaveCount(4);

  // Revoking its key stops it with a clear message.
  await page.reload();
  await card.getByRole('button', { name: 'Revoke access' }).click();
  await page.getByRole('button', { name: 'Revoke access' }).last().click();
  await expect(kiosk.getByTestId('display-message')).toContainText("This display's access was revoked.");
  await expect(card.getByText('Access revoked')).toBeVisible();
});

test('screenshots: each layout, and the displays screen in light and dark', async ({
  page,
  request,
  server,
}) => {
  test.setTimeout(90_000);
  const token = await apiLogin(request, server);
  await newsCollection(request, server, token);
  const titles = [
    ['Doors open at 9:00', 'Registration is at the main entrance; bring your ticket.'],
    ['Keynote in Hall A', 'Opening talk on realtime content for venues.'],
    ['Coffee and pastries', 'Served in the foyer until 10:30.'],
    ['Workshop: kiosks', 'Room B, bring a laptop. Seats are limited.'],
    ['Lunch at 12:30', 'Vegetarian and vegan options at every counter.'],
    ['Lightning talks', 'Five minutes each, Hall A, from 14:00.'],
  ];
  await api(request, server, token, 'POST', '/api/v1/collections/news/records/batch', {
    records: titles.map(([title, body], i) => ({ title, body, rank: i })),
  });
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const layout of ['list', 'cards', 'ticker', 'rotate'] as const) {
    const d = await api<Display>(request, server, token, 'POST', '/api/v1/displays', {
      name: `Hall ${layout}`,
      collection: 'news',
      config: {
        layout,
        sort: 'rank',
        footer_field: 'created_at',
        theme: layout === 'cards' ? 'light' : 'dark',
      },
    });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${server.url}${d.url}`);
    await expect(page.getByTestId('display')).toHaveAttribute('data-state', 'live');
    await expect(items(page)).toHaveCount(titles.length);
    await page.screenshot({ path: shot(`display-${layout}`) });
  }

  // 1,000 records: the list renders its window without a long task over 50 ms.
  const many = Array.from({ length: 1000 }, (_, i) => ({
    title: `Item ${i}`,
    body: 'x'.repeat(40),
    rank: 100 + i,
  }));
  for (let i = 0; i < many.length; i += 500)
    await api(request, server, token, 'POST', '/api/v1/collections/news/records/batch', {
      records: many.slice(i, i + 500),
    });
  await page.addInitScript(() => {
    const w = globalThis as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.longest = Math.max(w.longest, e.duration);
    }).observe({ type: 'longtask' as never, buffered: true });
  });
  await page.goto(
    `${server.url}/display/news?token=${new URL(`${server.url}${(await api<{ items: Display[] }>(request, server, token, 'GET', '/api/v1/displays')).items[0]!.url}`).searchParams.get('token')}`,
  );
  await expect(page.getByTestId('display')).toHaveAttribute('data-state', 'live');
  await expect(items(page).first()).toBeVisible();
  const longest = await page.evaluate(() => (globalThis as unknown as { longest: number }).longest);
  expect(longest).toBeLessThan(50);

  await signIn(page, server, undefined, '#/displays');
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await expect(page.getByTestId('display-card')).toHaveCount(4);
    await expect(page.getByTestId('sharing-card').getByText('this machine only')).toBeVisible();
    await page.screenshot({ path: shot(`displays-${scheme}`), fullPage: true });
  }
});
