import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { api, apiLogin, expect, seriousViolations, setScheme, signIn, test } from './fixtures';
import { root } from './headless-server';

/** Light and dark screenshots of the page into docs/screenshots/. */
async function screenshots(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  // note: the main area scrolls inside the shell, so a taller window shows the whole screen.
  await page.setViewportSize({ width: 1280, height: 1150 });
  await page.locator('#main').evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await page.screenshot({ path: join(root, 'docs/screenshots', `${name}-${scheme}.png`) });
  }
  await setScheme(page, 'light');
  if (size) await page.setViewportSize(size);
}

test('collections: schema with text, select and relation fields, a filter rule and its dry run, rename, delete', async ({
  page,
  request,
  server,
}) => {
  test.setTimeout(120_000);
  const token = await apiLogin(request, server);
  await api(request, server, token, 'POST', '/api/v1/collections', {
    name: 'people',
    fields: [{ name: 'name', type: 'text' }],
  });
  const ann = await api<{ id: string }>(request, server, token, 'POST', '/api/v1/users', {
    email: 'ann@example.test',
    password: 'long-enough-1',
    role: 'editor',
  });
  await api(request, server, token, 'POST', '/api/v1/users', {
    email: 'bob@example.test',
    password: 'long-enough-1',
    role: 'editor',
  });

  await signIn(page, server, undefined, '#/collections');
  await expect(page.getByTestId('collection-people')).toContainText('0 records');
  expect(await seriousViolations(page)).toEqual([]);

  // Create: opens the new collection's schema.
  await page.getByRole('button', { name: 'New collection' }).click();
  await page.getByTestId('collection-dialog').getByLabel('Name').fill('posts');
  await page.getByRole('button', { name: 'Create collection' }).click();
  await expect(page).toHaveURL(/#\/collections\/posts\?tab=schema/);
  await expect(page.getByRole('tab', { name: 'Schema' })).toHaveAttribute('aria-selected', 'true');

  // Four fields: text (required), select, relation, text.
  const addField = page.getByRole('button', { name: 'Add field' });
  const row = (i: number) => page.getByTestId(`field-row-${i}`);
  await addField.click();
  await row(0).getByLabel('Name').fill('title');
  await row(0).getByLabel('Required').check();
  await addField.click();
  await row(1).getByLabel('Name').fill('status');
  await row(1).getByLabel('Type').selectOption('select');
  await addField.click();
  await row(2).getByLabel('Name').fill('author');
  await row(2).getByLabel('Type').selectOption('relation');
  await row(2).getByLabel('Points at collection').selectOption('people');
  await addField.click();
  await row(3).getByLabel('Name').fill('owner');

  // A select without options: the shared validation's message lands on that field.
  await page.getByRole('button', { name: 'Save schema' }).click();
  await expect(row(1).getByText('a select field needs a non-empty list of text options')).toBeVisible();
  await expect(row(1).getByLabel('Options')).toHaveAttribute('aria-invalid', 'true');
  await row(1).getByLabel('Options').fill('draft, live');
  // Keyboard reorder: owner moves above author.
  await row(3).getByRole('button', { name: 'Move owner up' }).click();
  await expect(row(2).getByLabel('Name')).toHaveValue('owner');
  await page.getByRole('button', { name: 'Save schema' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Schema of posts saved.' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save schema' })).toBeDisabled();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshots(page, 'schema');

  // Rules: update is a filter on the owner, typed in the editor.
  await page.getByRole('tab', { name: 'Rules' }).click();
  await expect(page).toHaveURL(/tab=rules/);
  const update = page.getByTestId('rule-update');
  await update.getByRole('radio', { name: 'Filter' }).check();
  const editor = page.getByTestId('rule-update-filter');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText('{"nobody": 1}');
  await expect(update.locator('.cm-lint-marker-error')).toBeVisible();
  // Completion offers the collection's fields; picking one inserts `"owner": `.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type('{"ow');
  // note: CodeMirror ignores Enter for a moment after the list opens; pick the option instead.
  await page.locator('.cm-tooltip-autocomplete li').filter({ hasText: 'owner' }).click();
  await page.keyboard.insertText('"@user.id"');
  await expect(editor).toHaveText('{"owner": "@user.id"}');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Rules of posts saved.' })).toBeVisible();

  // Dry run on a record Ann owns: allowed for Ann, denied for Bob by the owner clause.
  const rec = await api<{ id: string }>(request, server, token, 'POST', '/api/v1/collections/posts/records', {
    title: 'Hello',
    status: 'live',
    owner: ann.id,
  });
  await page.reload();
  const dry = page.getByTestId('dry-run');
  await dry.getByLabel('Record id').fill(rec.id);
  await dry.getByLabel('Find a user').fill('ann@');
  await dry.getByRole('button', { name: 'Check' }).click();
  await expect(dry.getByTestId('dry-run-result')).toHaveAttribute('data-allowed', 'true');
  await dry.getByLabel('Find a user').fill('bob@');
  await dry.getByRole('button', { name: 'Check' }).click();
  const result = dry.getByTestId('dry-run-result');
  await expect(result).toHaveAttribute('data-allowed', 'false');
  await expect(result.getByTestId('dry-run-clause')).toContainText('{"owner":{"$eq":"@user.id"}}');
  expect(await seriousViolations(page)).toEqual([]);
  await screenshots(page, 'rules');

  // Dropping a field that holds data asks first and says how much goes.
  await page.getByRole('tab', { name: 'Schema' }).click();
  await page.getByRole('button', { name: 'Drop status' }).click();
  await page.getByRole('button', { name: 'Save schema' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm.getByTestId('drop-list')).toContainText('status: values in 1 record');
  await confirm.getByRole('button', { name: 'Drop field and save' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Schema of posts saved.' }).last()).toBeVisible();
  await expect(page.getByTestId('field-row-3')).toHaveCount(0);

  // Rename, then delete: the confirmation names the collection and its one record.
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await page.getByTestId('collection-dialog').getByLabel('Name').fill('articles');
  await page.getByTestId('collection-dialog').getByRole('button', { name: 'Rename' }).click();
  await expect(page).toHaveURL(/#\/collections\/articles/);
  await page.goto(`${server.url}/#/collections`);
  await page.getByRole('button', { name: 'Delete articles' }).click();
  await expect(confirm).toContainText('articles');
  await expect(confirm).toContainText('1 record');
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete articles' }).click();
  await confirm.getByRole('button', { name: 'Delete collection' }).click();
  await expect(page.getByTestId('collection-articles')).toHaveCount(0);
});

test('settings: limits and heartbeat say when they apply; retention is changed live', async ({
  page,
  server,
}) => {
  await signIn(page, server, undefined, '#/settings');
  await expect(page.getByTestId('limits')).toContainText('applies at next start');
  await expect(page.getByTestId('heartbeat')).toContainText('Ping every');
  const retention = page.getByTestId('retention');
  await retention.getByLabel('Events kept').fill('50');
  await retention.getByRole('button', { name: 'Save retention' }).click();
  await expect(retention.getByText(/a whole number from 100/)).toBeVisible();
  await retention.getByLabel('Events kept').fill('5000');
  await retention.getByLabel('Kept for').fill('3');
  await retention.getByLabel('Unit').selectOption({ label: 'days' });
  await retention.getByRole('button', { name: 'Save retention' }).click();
  await expect(retention).toContainText('Now 5,000');
  await expect(retention).toContainText('Now 3 days');
  await screenshots(page, 'settings');
});
