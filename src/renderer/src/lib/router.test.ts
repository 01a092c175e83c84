import { describe, expect, it } from 'vitest';
import { collectionHref, formatHash, parseRoute } from './router';

describe('router', () => {
  it('parses a collection deep link with its query', () => {
    expect(
      parseRoute('#/collections/posts?filter=%7B%22a%22%3A1%7D&sort=-created_at&page=2&record=abc'),
    ).toEqual({
      screen: 'collection',
      path: '/collections/posts',
      params: { name: 'posts' },
      query: { filter: '{"a":1}', sort: '-created_at', page: '2', record: 'abc' },
    });
  });

  it('opens the collections screen for an empty hash and knows the fixed screens', () => {
    expect(parseRoute('').screen).toBe('collections');
    expect(parseRoute('#/').screen).toBe('collections');
    expect(parseRoute('#/users?q=ann')).toMatchObject({ screen: 'users', query: { q: 'ann' } });
    expect(parseRoute('#/keys').screen).toBe('keys');
    expect(parseRoute('#/settings').screen).toBe('settings');
    expect(parseRoute('#/nowhere').screen).toBe('not-found');
    expect(parseRoute('#/users/x/y').screen).toBe('not-found');
  });

  it('formats hashes, dropping empty values, and round-trips', () => {
    expect(formatHash('/users', { q: '', page: 2, x: undefined })).toBe('#/users?page=2');
    const href = collectionHref('posts', { filter: '{"title":"a b"}', sort: '-created_at' });
    expect(parseRoute(href)).toMatchObject({
      params: { name: 'posts' },
      query: { filter: '{"title":"a b"}', sort: '-created_at' },
    });
  });
});
