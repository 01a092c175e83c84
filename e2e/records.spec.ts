import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { api, apiLogin, expect, holdRequests, seriousViolations, setScheme, signIn, test } from './fixtures';
import type { HeadlessServer } from './headless-server';
import { root } from './headless-server';

const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'done', type: 'bool' },
  { name: 'kind', type: 'select', options: ['news', 'menu', 'alert'] },
];
const RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' };

type Rec = { id: string; title: string; updated_at: string };

async function setup(request: APIRequestContext, server: HeadlessServer, name: string, rows: object[]) {
  const token = await apiLogin(request, server);
  await api(request, server, token, 'POST', '/api/v1/collections', { name, fields: FIELDS, rules: RULES });
  const made = rows.length
    ? await api<{ items: Rec[] }>(
        request,
        server,
        token,
        'POST',
        `/api/v1/collections/${name}/records/batch`,
        {
          records: rows,
        },
      )
    : { items: [] };
  return { token, items: made.items };
}

const rows = (page: Page) => page.getByTestId('record-row');
const row = (page: Page, text: string) => rows(page).filter({ hasText: text });

test('adds, edits, filters, sorts and deletes records; errors land on their field', async ({
  page,
  request,
  server,
}) => {
  test.setTimeout(60_000);
  await setup(request, server, 'posts', [
    { title: 'Breakfast menu', n: 3, done: true, kind: 'menu' },
    { title: 'Storm warning', n: 1, kind: 'alert' },
    { title: 'Opening hours', n: 2, kind: 'news' },
  ]);
  await setScheme(page, 'light');
  await signIn(page, server, undefined, '#/collections/posts');
  await expect(page.getByTestId('records-total')).toHaveText('3 records');

  // Create: the required title is checked on the client, on its field.
  await page.getByRole('button', { name: 'New record' }).click();
  const panel = page.getByTestId('record-panel');
  await panel.getByRole('button', { name: 'Create' }).click();
  await expect(panel.getByLabel('title')).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByText('is required')).toBeVisible();
  await panel.getByLabel('title').fill('Hello');
  await panel.getByLabel('n', { exact: true }).fill('five');
  await panel.getByRole('button', { name: 'Create' }).click();
  await expect(panel.getByText('expected a number, got "five"')).toBeVisible();
  await panel.getByLabel('n', { exact: true }).fill('5');
  await panel.getByRole('button', { name: 'Create' }).click();
  await expect(panel).toBeHidden();
  await expect(row(page, 'Hello')).toBeVisible();
  await expect(page.getByTestId('records-total')).toHaveText('4 records');

  // Edit: Enter opens the focused row, the URL names it, Esc closes.
  await row(page, 'Hello').click();
  await expect(page).toHaveURL(/record=/);
  await panel.getByLabel('title').fill('Hello again');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(row(page, 'Hello again')).toBeVisible();
  await panel.getByLabel('title').press('Escape');
  await expect(panel).toBeHidden();

  // Filter: a mistake is explained inline and not sent; a good one applies on Enter and survives a reload.
  const filter = page.getByTestId('records-filter');
  await filter.fill('{"nope":1}');
  await filter.press('Enter');
  await expect(page.getByTestId('records-filter-error')).toContainText('filter.nope');
  await filter.fill('{"title":{"$like":"%e%"},"n":{"$gte":2}}');
  await filter.press('Enter');
  await expect(page.getByTestId('records-total')).toHaveText('3 records match');
  await page.reload();
  await expect(page.getByTestId('records-total')).toHaveText('3 records match');

  // Sort by n: ascending, then descending.
  await page.getByTestId('sort-n').click();
  await expect(rows(page).first()).toContainText('Opening hours');
  await page.getByTestId('sort-n').click();
  await expect(rows(page).first()).toContainText('Hello again');
  await filter.fill('');
  await filter.press('Enter');
  await expect(page.getByTestId('records-total')).toHaveText('4 records');

  // Screenshots with the panel open, light and dark.
  await page.setViewportSize({ width: 1440, height: 900 });
  await row(page, 'Breakfast menu').click();
  await expect(panel.getByLabel('title')).toHaveValue('Breakfast menu');
  await page.screenshot({ path: join(root, 'docs/screenshots/records-light.png') });
  await setScheme(page, 'dark');
  await page.screenshot({ path: join(root, 'docs/screenshots/records-dark.png') });

  // Delete with a confirmation.
  await panel.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Delete record' }).click();
  await expect(row(page, 'Breakfast menu')).toHaveCount(0);
  await expect(page.getByTestId('records-total')).toHaveText('3 records');
});

test('follows other writers live and never overwrites an open edit', async ({ page, request, server }) => {
  const { token, items } = await setup(request, server, 'live', [
    { title: 'first', n: 10 },
    { title: 'second', n: 11 },
  ]);
  await signIn(
    page,
    server,
    undefined,
    `#/collections/live?filter=${encodeURIComponent('{"n":{"$gte":10}}')}`,
  );
  await expect(page.getByTestId('records-total')).toHaveText('2 records match');

  // A record created elsewhere enters within a second; one changed out of the filter leaves.
  const made = await api<Rec>(request, server, token, 'POST', '/api/v1/collections/live/records', {
    title: 'from elsewhere',
    n: 20,
  });
  await expect(row(page, 'from elsewhere')).toBeVisible({ timeout: 1000 });
  await api(request, server, token, 'PATCH', `/api/v1/collections/live/records/${made.id}`, { n: 1 });
  await expect(row(page, 'from elsewhere')).toHaveCount(0, { timeout: 1000 });
  await expect(page.getByTestId('records-total')).toHaveText('2 records match');

  // An open edit is kept when someone else saves; saving then asks reload or overwrite.
  const target = items[0]!;
  await row(page, 'first').click();
  const panel = page.getByTestId('record-panel');
  await panel.getByLabel('title').fill('mine');
  await api(request, server, token, 'PATCH', `/api/v1/collections/live/records/${target.id}`, {
    title: 'theirs',
    n: 12,
  });
  // The notice shows the diff from the copy the form started from; the field edited here too is flagged.
  const notice = panel.getByTestId('record-changed-elsewhere');
  const diffRow = (scope: typeof notice, field: string) =>
    scope.getByRole('table', { name: 'Changes made elsewhere' }).locator(`tr[data-path="${field}"]`);
  await expect(diffRow(notice, 'title')).toHaveText(/title\s*"first"\s*"theirs"/);
  await expect(diffRow(notice, 'title')).toHaveAttribute('data-flagged', 'true');
  await expect(diffRow(notice, 'n')).toHaveText(/n\s*10\s*12/);
  await expect(diffRow(notice, 'n')).not.toHaveAttribute('data-flagged');
  await expect(notice.getByText('You changed it too: "mine"')).toBeVisible();
  await expect(notice.getByTestId('record-change-summary')).toHaveText('You both changed title.');
  await expect(panel.getByLabel('title')).toHaveValue('mine');
  await notice.getByRole('button', { name: 'Keep editing mine' }).click();
  await panel.getByRole('button', { name: 'Save' }).click();
  // Refused with 412: the same diff, and the choice.
  const conflict = panel.getByTestId('record-conflict');
  await expect(conflict).toBeVisible();
  await expect(diffRow(conflict, 'title')).toHaveAttribute('data-flagged', 'true');
  await expect(diffRow(conflict, 'title')).toContainText('"theirs"');
  await expect(conflict.getByText('You changed it too: "mine"')).toBeVisible();
  await conflict.getByRole('button', { name: 'Overwrite with mine' }).click();
  await expect(conflict).toBeHidden();
  await expect(row(page, 'mine')).toBeVisible();
  // Overwriting saves the fields edited here onto their version: their change to n is kept.
  const now = await api<Rec & { n: number }>(
    request,
    server,
    token,
    'GET',
    `/api/v1/collections/live/records/${target.id}`,
  );
  expect(now.title).toBe('mine');
  expect(now.n).toBe(12);
});

test('the filter box completes fields and operators, explains a mistake and applies on Enter', async ({
  page,
  request,
  server,
}) => {
  await setup(request, server, 'posts', [
    { title: 'Breakfast menu', n: 3, kind: 'menu' },
    { title: 'Storm warning', n: 1, kind: 'alert' },
    { title: 'Opening hours', n: 2, kind: 'news' },
  ]);
  await signIn(page, server, undefined, '#/collections/posts');
  await expect(page.getByTestId('records-total')).toHaveText('3 records');
  const filter = page.getByTestId('records-filter');
  await expect(filter).toHaveAttribute('contenteditable', 'true');

  /** The filter applied now: the one in the address. */
  const applied = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '').get('filter');

  // `/` anywhere on the screen focuses the box; Esc leaves it.
  await page.getByTestId('records-total').click();
  await page.keyboard.press('/');
  await expect(filter).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(filter).not.toBeFocused();

  // Completion: field names at the filter level (Enter takes the completion, it does not apply)...
  await filter.click();
  await page.keyboard.type('{"ti');
  const popup = page.locator('.cm-tooltip-autocomplete');
  await expect(popup.getByRole('option', { name: /^title/ })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(filter).toHaveText('{"title": }');
  expect(applied()).toBeNull();
  // ...the field type's operators inside it, and no @user values (a console query has no caller).
  await page.keyboard.type('{"$l');
  await popup.getByRole('option', { name: /^\$like/ }).click();
  await expect(filter).toHaveText('{"title": {"$like": }}');
  await page.keyboard.press('Control+Space');
  await expect(popup.getByRole('option', { name: /^null/ })).toBeVisible();
  await expect(popup).not.toContainText('@user');
  await page.keyboard.press('Escape');
  await expect(popup).toBeHidden();
  await expect(filter).toBeFocused();
  await page.keyboard.type('"%hour%"');
  await expect(filter).toHaveText('{"title": {"$like": "%hour%"}}');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('records-total')).toHaveText('1 record match');
  await expect(rows(page)).toHaveText([/Opening hours/]);
  expect(applied()).toBe('{"title": {"$like": "%hour%"}}');

  // A mistake is underlined as it is typed; Enter shows the parser's words under the box and applies nothing.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText('{"n": {"$like": "x"}}');
  await expect(page.locator('.rf-box .cm-lintRange-error')).toBeVisible();
  await page.keyboard.press('Enter');
  const error = page.getByTestId('records-filter-error');
  await expect(error).toHaveText("filter.n.$like: operator '$like' is not supported for number field 'n'");
  await expect(filter).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('records-total')).toHaveText('1 record match');
  expect(applied()).toBe('{"title": {"$like": "%hour%"}}');
  await expect(filter).toHaveText('{"n": {"$like": "x"}}');

  // Fixed and applied; typing clears the error.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText('{"n": {"$gte": 2}}');
  await expect(error).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('records-total')).toHaveText('2 records match');
  expect(applied()).toBe('{"n": {"$gte": 2}}');
});

test('while the editor loads, a plain filter input takes the typing and hands it over', async ({
  page,
  request,
  server,
}) => {
  await setup(request, server, 'posts', [
    { title: 'Storm warning', n: 1 },
    { title: 'Opening hours', n: 2 },
  ]);
  // While the editor's chunk loads, a plain input takes the typing and hands text, focus and caret over.
  const release = await holdRequests(page, '**/assets/filter-editor-impl-*.js');
  await signIn(page, server, undefined, '#/collections/posts');
  await expect(page.getByTestId('records-total')).toHaveText('2 records');
  const filter = page.getByTestId('records-filter');
  await expect(filter).toHaveJSProperty('tagName', 'INPUT');
  await filter.click();
  await page.keyboard.type('{"n": 2');
  release();
  await expect(filter).toHaveAttribute('contenteditable', 'true');
  await expect(filter).toBeFocused();
  await page.keyboard.type('}');
  await expect(filter).toHaveText('{"n": 2}');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('records-total')).toHaveText('1 record match');
});

test('imports 10,000 CSV rows reporting the bad ones, then bulk-edits a selection', async ({
  page,
  request,
  server,
}, testInfo) => {
  test.setTimeout(90_000);
  const { token } = await setup(request, server, 'bulk', []);
  const lines = ['title,n,done,kind'];
  for (let i = 0; i < 10_000; i++) lines.push(`"item ${i}, ok",${i},${i % 2 === 0},news`);
  lines[101] = ',100,true,news'; // no title: line 102
  lines[5001] = 'bad number,lots,false,news'; // line 5002
  const csv = testInfo.outputPath('import.csv');
  writeFileSync(csv, lines.join('\n'));

  await signIn(page, server, undefined, '#/collections/bulk');
  await expect(page.getByText('bulk has no records yet')).toBeVisible();
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-file').setInputFiles(csv);
  await page.getByTestId('import-start').click();
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('2 rows would not import; 9,998 are valid');
  const failures = page.getByTestId('import-failures');
  await expect(failures.getByRole('row', { name: /102 title: is required/ })).toBeVisible();
  await expect(failures.getByRole('row', { name: /5002 n: expected a number/ })).toBeVisible();
  await page.getByTestId('import-valid').click();
  await expect(page.getByTestId('import-done')).toContainText('Imported 9,998 records');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('records-total')).toHaveText('9,998 records');

  // Check two rows (shift-click makes a range), set `done` on them.
  const checks = rows(page).getByRole('checkbox');
  await checks.nth(0).click();
  await checks.nth(2).click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('bulk-bar')).toContainText('3 records selected');
  await page.getByRole('button', { name: 'Edit a field' }).click();
  const dialog = page.getByTestId('bulk-edit-dialog');
  await dialog.getByLabel('Field').selectOption('kind');
  await dialog.getByLabel('kind', { exact: true }).selectOption('alert');
  await dialog.getByRole('button', { name: 'Set on 3 records' }).click();
  await expect(page.getByText('3 records updated.')).toBeVisible();
  const alerts = await api<{ total_items: number }>(
    request,
    server,
    token,
    'GET',
    `/api/v1/collections/bulk/records?per_page=1&filter=${encodeURIComponent('{"kind":"alert"}')}`,
  );
  expect(alerts.total_items).toBe(3);
  await expect(rows(page).filter({ hasText: 'alert' })).toHaveCount(3);
});

test('the records screen has no serious accessibility violations, with the editor open', async ({
  page,
  request,
  server,
}) => {
  test.slow(); // note: each axe run takes seconds on a busy 2-core host.
  await setup(request, server, 'notes', [
    { title: 'First', n: 1, done: true, kind: 'news' },
    { title: 'Second', n: 2, done: false, kind: 'menu' },
  ]);
  await signIn(page, server);
  await page.goto(`${server.url}/#/collections/notes`);
  await expect(rows(page)).toHaveCount(2);
  expect(await seriousViolations(page)).toEqual([]);
  await row(page, 'First').click();
  await expect(page.getByRole('heading', { name: /^Record / })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});
