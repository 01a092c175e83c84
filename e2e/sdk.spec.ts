import { ADMIN, expect, test } from './fixtures';

test('a kiosk page imports /sdk/switchboard.js and sees a change the moment it commits', async ({
  page,
  request,
  server,
}) => {
  const login = await request.post(`${server.url}/api/v1/auth/login`, { data: ADMIN });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const auth = { authorization: `Bearer ${token}` };
  const created = await request.post(`${server.url}/api/v1/collections`, {
    headers: auth,
    data: {
      name: 'slides',
      fields: [{ name: 'title', type: 'text', required: true }],
      rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
    },
  });
  expect(created.status()).toBe(201);

  // A blank page of the server's origin stands in for a kiosk display; it signs in with nothing.
  await page.goto(`${server.url}/api/v1/health`);
  await page.evaluate(async () => {
    // note: this runs in the page; the e2e tsconfig has no DOM types, hence globalThis.
    const w = globalThis as unknown as { titles: string[]; location: { origin: string } };
    const sdk = await import(`${w.location.origin}/sdk/switchboard.js`);
    const client = sdk.createClient({ url: w.location.origin });
    w.titles = [];
    const off = client.subscribe('slides', {}, (ev: { type: string; data: { title: string } }) => {
      if (ev.type === 'record.created') w.titles.push(ev.data.title);
    });
    await off.ready;
  });

  const write = await request.post(`${server.url}/api/v1/collections/slides/records`, {
    headers: auth,
    data: { title: 'Doors open at 7' },
  });
  expect(write.status()).toBe(201);
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { titles: string[] }).titles))
    .toEqual(['Doors open at 7']);
});
