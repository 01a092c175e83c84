import type { Page } from '@playwright/test';
import { startClusterProcesses, type ClusterProcesses } from '../tests/helpers/cluster-processes';
import { closeAll, native } from '../tests/helpers/ws';
import { ADMIN, api, apiLogin, expect, signIn, test } from './fixtures';

// A redis-server, a primary and two edges (the built CLI, each its own process), shared by
// this file's one test; the console signs in on the primary.
let cluster: ClusterProcesses | undefined;
// note: the bound for a connection to show or go through Redis; it takes well under a second here.
const FEW_SECONDS = 5_000;

test.beforeAll(async () => {
  cluster = await startClusterProcesses({ edges: 2, entry: 'built' });
});

test.afterEach(async ({}, testInfo) => {
  await closeAll();
  if (cluster && testInfo.status !== testInfo.expectedStatus)
    await testInfo.attach('cluster.log', { body: cluster.output(), contentType: 'text/plain' });
});

test.afterAll(async () => {
  await cluster?.stop();
});

const row = (page: Page, id: string) => page.locator(`[data-testid="connection-row"][data-id="${id}"]`);

test('the primary’s monitor shows every instance’s connections and events, and disconnects on an edge', async ({
  page,
}) => {
  const { primary, edges } = cluster!;
  const edge1 = edges[0]!;
  const edge2 = edges[1]!;
  const token = await apiLogin(page.request, primary);
  await api(page.request, primary, token, 'POST', '/api/v1/collections', {
    name: 'posts',
    fields: [{ name: 'title', type: 'text' }],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  const onEdge1 = await native(edge1.url, { token });
  const onEdge2 = await native(edge2.url);
  const onPrimary = await native(primary.url);

  await page.setViewportSize({ width: 1440, height: 860 });
  await signIn(page, primary, ADMIN, '#/monitor?tab=connections');
  await expect(page.getByTestId('feed-status')).toContainText('3 instances');
  // Each row names its instance briefly (the port tells the edges apart), in full on hover.
  for (const [client, label, id] of [
    [onEdge1, `edge:${edge1.port}`, `edge@127.0.0.1:${edge1.port}`],
    [onEdge2, `edge:${edge2.port}`, `edge@127.0.0.1:${edge2.port}`],
    [onPrimary, 'primary', `primary@127.0.0.1:${primary.port}`],
  ] as const) {
    const instance = row(page, client.connectionId).locator('[data-col="instance"]');
    await expect(instance).toHaveText(label, { timeout: FEW_SECONDS });
    await expect(instance.getByTitle(id)).toBeVisible();
  }
  await expect(row(page, onEdge1.connectionId).locator('[data-col="who"]')).toHaveText(ADMIN.email);

  // A client leaving an edge leaves the table.
  await onEdge2.close();
  await expect(row(page, onEdge2.connectionId)).toHaveCount(0, { timeout: FEW_SECONDS });

  // Disconnect from the console reaches the edge that holds the connection.
  await row(page, onEdge1.connectionId).click();
  await page.getByTestId('connection-detail').getByRole('button', { name: 'Disconnect…' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await confirm.getByLabel('Reason (sent to the client)').fill('moving you');
  await confirm.getByRole('button', { name: 'Disconnect' }).click();
  expect(await onEdge1.waitClose()).toEqual({ code: 4010, reason: 'disconnected by an admin: moving you' });
  await expect(row(page, onEdge1.connectionId)).toHaveCount(0, { timeout: FEW_SECONDS });
  await expect(row(page, onPrimary.connectionId)).toBeVisible();

  // An event written on the primary shows once in the stream, its fan-out summed over the three instances.
  await page.getByRole('tab', { name: 'Events' }).click();
  const posts = '/api/v1/collections/posts/records';
  const rec = await api<{ id: string }>(page.request, primary, token, 'POST', posts, { title: 'across' });
  const event = page.getByTestId('event-row').filter({ hasText: rec.id });
  await expect(event).toHaveCount(1);
  await event.click();
  const fanout = page.getByTestId('event-detail').getByRole('heading', { name: 'Fan-out on 3 instances' });
  await expect(fanout).toBeVisible({ timeout: FEW_SECONDS });
  await expect(event).toHaveCount(1);
});
