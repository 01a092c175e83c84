import { join } from 'node:path';
import WebSocket from 'ws';
import { api, apiLogin, ADMIN, expect, seriousViolations, setScheme, signIn, test } from './fixtures';
import type { HeadlessServer } from './headless-server';
import { root } from './headless-server';

type Frame = { type?: string; data?: Record<string, unknown> };

/** A native realtime client (the `ws` package) that can subscribe. */
async function client(server: HeadlessServer, token: string) {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/ws/realtime?token=${token}`);
  const frames: Frame[] = [];
  let wake = () => {};
  ws.on('message', (raw) => {
    frames.push(JSON.parse(raw.toString()) as Frame);
    wake();
  });
  const next = async (test: (f: Frame) => boolean): Promise<Frame> => {
    for (;;) {
      const i = frames.findIndex(test);
      if (i >= 0) return frames.splice(i, 1)[0]!;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const hello = await next((f) => f.type === 'connected');
  await next((f) => f.type === 'authenticated');
  return {
    ws,
    id: hello.data!.connection_id as string,
    async subscribe(body: Record<string, unknown>) {
      ws.send(JSON.stringify({ action: 'subscribe', ...body }));
      const f = await next((x) => x.type === 'subscribed' || x.type === 'error');
      if (f.type !== 'subscribed') throw new Error(`subscribe failed: ${JSON.stringify(f)}`);
    },
  };
}

const posts = {
  name: 'posts',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'published', type: 'bool' },
  ],
  rules: { list: 'public', view: { published: true }, create: 'auth', update: 'auth', delete: 'auth' },
};

test('the Flow tab shows a write fanning out: delivered and filtered per connection, in words too', async ({
  page,
  server,
}) => {
  test.slow(); // note: each axe run takes seconds on a busy 2-core host.
  await page.setViewportSize({ width: 1440, height: 900 });
  const admin = await apiLogin(page.request, server);
  await api(page.request, server, admin, 'POST', '/api/v1/collections', posts);
  const gets = await client(server, admin);
  await gets.subscribe({ collection: 'posts' });
  const filtered = await client(server, admin);
  await filtered.subscribe({ collection: 'posts', filter: { title: 'something else' } });
  await api(page.request, server, admin, 'POST', '/api/v1/users', {
    email: 'ed@example.test',
    password: 'password-long-1',
    role: 'editor',
  });
  const editor = await client(
    server,
    await apiLogin(page.request, server, { email: 'ed@example.test', password: 'password-long-1' }),
  );
  await editor.subscribe({ collection: 'posts' });

  await signIn(page, server, undefined, '#/monitor?tab=flow');
  await expect(page.getByRole('tab', { name: 'Flow' })).toHaveAttribute('aria-selected', 'true');
  // The server said yes to the flow: the empty picture asks for traffic.
  await expect(page.getByText(/No traffic in the last 10 seconds/)).toBeVisible();

  const write = (title: string, published: boolean) =>
    api(page.request, server, admin, 'POST', '/api/v1/collections/posts/records', { title, published });
  await write('hello', true);
  await write('draft', false);
  const table = page.getByTestId('flow-table');
  const cell = (id: string, outcome: string) =>
    table.locator(`tr[data-connection="${id}"] [data-outcome="${outcome}"]`);
  // note: the window covers 10 s; everything below happens well within that on a busy host.
  await expect(cell(gets.id, 'delivered')).toHaveText('2', { timeout: 5000 });
  await expect(cell(gets.id, 'filtered')).toHaveText('0');
  await expect(cell(filtered.id, 'filtered')).toHaveText('2');
  await expect(cell(filtered.id, 'delivered')).toHaveText('0');
  // The editor may not see a draft: one delivered, one denied by the view rule.
  await expect(cell(editor.id, 'delivered')).toHaveText('1');
  await expect(cell(editor.id, 'denied')).toHaveText('1');
  await expect(page.getByTestId('flow-total')).toHaveText('2 events in the last 10 s');
  // The writer is named (the admin's email, looked up from its id).
  await expect(page.getByTestId('flow-writers')).toContainText(ADMIN.email);
  await expect(page.getByText(/No traffic in the last 10 seconds/)).toHaveCount(0);
  // The canvas has been drawn on.
  type Canvas = {
    width: number;
    height: number;
    getContext(t: '2d'): {
      getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
    };
  };
  const inked = await page.locator('.flow-canvas canvas').evaluate((el) => {
    const c = el as unknown as Canvas;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  });
  expect(inked).toBeGreaterThan(500);

  // From here on a write every 0.5 s keeps the picture busy (bounded: 120 writes, stopped at the end).
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing && i < 120; i++) {
      await write(`more ${i}`, i % 3 !== 0);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await page.screenshot({ path: join(root, 'docs/screenshots', `monitor-flow-${scheme}.png`) });
    expect(await seriousViolations(page)).toEqual([]);
  }
  await setScheme(page, 'light');

  // A connection in the table opens it in the Connections tab.
  await table.locator(`tr[data-connection="${gets.id}"]`).getByRole('button').click();
  await expect(page).toHaveURL(
    new RegExp(`tab=connections.*conn=${gets.id}|conn=${gets.id}.*tab=connections`),
  );
  await expect(page.getByTestId('connection-detail')).toBeVisible();
  writing = false;
  await writer;
  for (const c of [gets, filtered, editor]) c.ws.close();
});
