import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { Page } from '@playwright/test';
import { ADMIN, api, apiLogin, expect, test } from './fixtures';
import { root } from './headless-server';

/**
 * React against the built SDK, as a kiosk page on the LAN would use it: `/sdk/switchboard.js` and
 * `/sdk/switchboard-react.js` from the server, React from an import map. React is CommonJS, so the
 * test bundles it once into one ES module (react + react-dom/client) that both `react` and
 * `react-dom/client` map to; the page itself is plain `createElement`, no JSX, no build.
 */
let vendorJs = '';

test.beforeAll(async () => {
  const names = Object.keys(createRequire(join(root, 'package.json'))('react') as object).filter(
    (k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k),
  );
  const source = [
    "import React from 'react';",
    "import { createRoot } from 'react-dom/client';",
    'export default React;',
    `export const { ${names.join(', ')} } = React;`,
    'export { createRoot };',
  ].join('\n');
  const outDir = await mkdtemp(join(tmpdir(), 'switchboard-react-vendor-'));
  try {
    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [
        {
          name: 'vendor-entry',
          enforce: 'pre',
          // note: the lib entry may arrive resolved against root
          resolveId: (id) => (id.endsWith('virtual:vendor') ? '\0vendor.js' : null),
          load: (id) => (id === '\0vendor.js' ? source : null),
        },
      ],
      build: {
        lib: { entry: 'virtual:vendor', formats: ['es'], fileName: () => 'vendor.js' },
        outDir,
        emptyOutDir: true,
        minify: false,
      },
    });
    vendorJs = await readFile(join(outDir, 'vendor.js'), 'utf8');
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});

/** The kiosk page: a live list (filter, sort, limit), one live record, and FastCMS's hook counting creates. */
const PAGE = (recordId: string) => `<!doctype html>
<html><body><div id="root"></div>
<script type="importmap">
{ "imports": { "react": "/__react-test/vendor.js", "react-dom/client": "/__react-test/vendor.js" } }
</script>
<script type="module">
import { createElement as h, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '/sdk/switchboard.js';
import { SwitchboardProvider, useCollection, useRecord, useRealtime } from '/sdk/switchboard-react.js';

const client = createClient({ url: location.origin, backoff: { initialMs: 100, maxMs: 400 } });

function Slides() {
  const { items, status, total } = useCollection('slides', { filter: { shown: true }, sort: 'rank', limit: 3 });
  return h('section', null,
    h('p', { 'data-testid': 'status' }, status),
    h('p', { 'data-testid': 'total' }, String(total)),
    h('ul', { 'data-testid': 'list' }, items.map((r) => h('li', { key: r.id }, r.title))));
}

function One() {
  const { record, status } = useRecord(client, 'slides', ${JSON.stringify(recordId)});
  return h('p', { 'data-testid': 'record' }, status === 'loading' ? '…' : record ? record.title : '(none)');
}

function Fastcms() {
  const { isConnected, subscribe, onEvent } = useRealtime(location.origin);
  const [created, setCreated] = useState([]);
  useEffect(() => { if (isConnected) subscribe('slides'); }, [isConnected, subscribe]);
  useEffect(() => onEvent('slides', 'record.created', (e) => setCreated((c) => [...c, e.data.title])), [onEvent]);
  return h('p', { 'data-testid': 'fastcms' }, created.join(','));
}

createRoot(document.getElementById('root')).render(
  h(SwitchboardProvider, { client }, h(Slides), h(One), h(Fastcms)));
</script></body></html>`;

async function openKiosk(page: Page, origin: string, recordId: string): Promise<void> {
  await page.route(`${origin}/__react-test/vendor.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: vendorJs }),
  );
  // note: a page of the server's own origin, as a kiosk's would be; a document fulfilled by page.route
  // would count as public and Chromium's local-network checks would block its WebSocket to 127.0.0.1.
  await page.goto(`${origin}/api/v1/health`);
  await page.setContent(PAGE(recordId));
}

test('useCollection follows creates, updates into and out of the filter, deletes, and a server restart', async ({
  page,
  request,
  server,
}) => {
  let token = await apiLogin(request, server);
  await api(request, server, token, 'POST', '/api/v1/collections', {
    name: 'slides',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'shown', type: 'bool' },
      { name: 'rank', type: 'number' },
    ],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  const records = '/api/v1/collections/slides/records';
  const create = async (title: string, rank: number, shown = true) =>
    (await api<{ id: string }>(request, server, token, 'POST', records, { title, rank, shown })).id;
  const patch = (id: string, fields: object) =>
    api(request, server, token, 'PATCH', `${records}/${id}`, fields);
  const remove = (id: string) => api(request, server, token, 'DELETE', `${records}/${id}`);

  const a = await create('A', 1);
  const b = await create('B', 2, false);
  const c = await create('C', 3);

  await openKiosk(page, server.url, b);
  const list = page.getByTestId('list').locator('li');
  await expect(page.getByTestId('status')).toHaveText('live');
  await expect(list).toHaveText(['A', 'C']);
  await expect(page.getByTestId('total')).toHaveText('2');
  await expect(page.getByTestId('record')).toHaveText('B');

  const d = await create('D', 1.5);
  await expect(list).toHaveText(['A', 'D', 'C']);
  await expect(page.getByTestId('fastcms')).toHaveText('D');

  // B enters the filter: the window of 3 pushes C out (still counted).
  await patch(b, { shown: true });
  await expect(list).toHaveText(['A', 'D', 'B']);
  await expect(page.getByTestId('total')).toHaveText('4');

  // A leaves the filter: the window refills with C.
  await patch(a, { shown: false });
  await expect(list).toHaveText(['D', 'B', 'C']);
  await expect(page.getByTestId('total')).toHaveText('3');

  await remove(d);
  await patch(b, { title: 'B2' });
  await expect(list).toHaveText(['B2', 'C']);
  await expect(page.getByTestId('record')).toHaveText('B2');

  // Restart on the same port and data dir; the changes made right after come through once.
  const port = server.port;
  await server.stop();
  await expect(page.getByTestId('status')).toHaveText('reconnecting');
  await expect(list).toHaveText(['B2', 'C']);
  await server.start(port);
  token = await apiLogin(request, server, ADMIN);
  await create('E', 0.5);
  await patch(c, { title: 'C2' });
  await remove(b);
  await expect(list).toHaveText(['E', 'C2']);
  await expect(page.getByTestId('total')).toHaveText('2');
  await expect(page.getByTestId('status')).toHaveText('live');
  await expect(page.getByTestId('record')).toHaveText('(none)');
  await expect(page.getByTestId('fastcms')).toHaveText('D,E');
});

test('the SDK serves its type declarations beside the modules', async ({ request, server }) => {
  for (const [file, target, name] of [
    ['switchboard.d.ts', 'types/client/index.d.ts', 'createClient'],
    ['switchboard-react.d.ts', 'types/client/react.d.ts', 'useCollection'],
  ] as const) {
    const entry = await request.get(`${server.url}/sdk/${file}`);
    expect(entry.status()).toBe(200);
    expect(await entry.text()).toContain(`from './${target.replace(/\.d\.ts$/, '')}'`);
    const types = await request.get(`${server.url}/sdk/${target}`);
    expect(types.status()).toBe(200);
    expect(await types.text()).toContain(name);
  }
  const live = await request.get(`${server.url}/sdk/types/client/live-collection.d.ts`);
  expect(await live.text()).toContain('export declare function liveCollection');
});
