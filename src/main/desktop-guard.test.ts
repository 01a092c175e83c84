import { describe, expect, it } from 'vitest';
import {
  bridgeAllowed,
  devRendererUrl,
  externalAllowed,
  navigationAllowed,
  sameOrigin,
} from './desktop-guard';

const APP = 'http://127.0.0.1:8000';

describe('externalAllowed (what shell.openExternal may open)', () => {
  it('opens the app’s own server and allowlisted origins, http(s) only', () => {
    expect(externalAllowed('http://127.0.0.1:8000/', APP)).toBe(true);
    expect(externalAllowed('http://127.0.0.1:8000/api/v1/health?x=1', APP)).toBe(true);
    expect(externalAllowed('https://docs.example/guide', APP, ['https://docs.example'])).toBe(true);
  });

  it.each([
    'http://127.0.0.1:8001/',
    'https://127.0.0.1:8000/',
    'http://evil.example/',
    'https://docs.example.evil/',
    'file:///etc/passwd',
    'smb://share/x',
    'ms-msdt:/id PCWDiagnostic',
    'javascript:alert(1)',
    'data:text/html,hi',
    '',
    'not a url',
  ])('refuses %j', (url) => {
    expect(externalAllowed(url, APP, ['https://docs.example'])).toBe(false);
  });
});

describe('navigationAllowed (will-navigate / will-redirect)', () => {
  it('stays within the app’s origin', () => {
    expect(navigationAllowed('http://127.0.0.1:8000/#/monitor', APP)).toBe(true);
    expect(navigationAllowed('http://127.0.0.1:8000/other', APP)).toBe(true);
    for (const url of [
      'http://localhost:8000/',
      'http://127.0.0.1:9/',
      'https://example.com/',
      'file:///',
      'about:blank',
    ])
      expect(navigationAllowed(url, APP)).toBe(false);
  });

  it('allows nothing when the app origin is unknown', () => {
    expect(navigationAllowed('http://127.0.0.1:8000/', '')).toBe(false);
    expect(sameOrigin('', '')).toBe(false);
  });
});

describe('bridgeAllowed (who gets the URL and admin token)', () => {
  const ok = { ownWindow: true, mainFrame: true, frameUrl: 'http://127.0.0.1:8000/#/records' };
  it('answers the top frame of our window on our origin', () => {
    expect(bridgeAllowed(ok, APP)).toBe(true);
  });
  it.each([
    ['another webContents', { ...ok, ownWindow: false }],
    ['an iframe', { ...ok, mainFrame: false }],
    ['a foreign page in our window', { ...ok, frameUrl: 'https://evil.example/' }],
    ['another port on loopback', { ...ok, frameUrl: 'http://127.0.0.1:8001/' }],
    ['a frame that is gone', { ...ok, frameUrl: '' }],
    ['a file: page', { ...ok, frameUrl: 'file:///tmp/x.html' }],
  ])('refuses %s', (_what, caller) => {
    expect(bridgeAllowed(caller, APP)).toBe(false);
  });
});

describe('devRendererUrl (ELECTRON_RENDERER_URL)', () => {
  const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
  it('is honoured only in an unpackaged dev build, for a loopback http URL', () => {
    expect(devRendererUrl(env, { dev: true, packaged: false })).toBe('http://localhost:5173');
    expect(
      devRendererUrl({ ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/' }, { dev: true, packaged: false }),
    ).toBe('http://127.0.0.1:5173/');
  });
  it('is ignored in a built or packaged app, and for a non-loopback or non-http URL', () => {
    expect(devRendererUrl(env, { dev: false, packaged: false })).toBeUndefined();
    expect(devRendererUrl(env, { dev: true, packaged: true })).toBeUndefined();
    expect(devRendererUrl({}, { dev: true, packaged: false })).toBeUndefined();
    for (const url of ['https://evil.example', 'http://10.0.0.5:5173', 'file:///tmp/x.html', 'nonsense'])
      expect(devRendererUrl({ ELECTRON_RENDERER_URL: url }, { dev: true, packaged: false })).toBeUndefined();
  });
});
