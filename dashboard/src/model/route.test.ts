import { describe, expect, it } from 'vitest';
import { buildHash, linkTo, matchPath, parseHash, routePath, withParams } from './route.js';
import type { Route } from './route.js';

describe.each<[string, Route]>([
  ['/', { page: 'map' }],
  ['', { page: 'map' }],
  ['/map', { page: 'map' }],
  ['/incidents', { page: 'incidents' }],
  ['/traces', { page: 'traces' }],
  ['/traces/0af7651916cd43dd8448eb211c80319c', { page: 'trace', traceId: '0af7651916cd43dd8448eb211c80319c' }],
  ['/services/orders%20v2', { page: 'service', service: 'orders v2' }],
  ['/services/%E0%A4%A', { page: 'not-found', path: '/services/%E0%A4%A' }],
  ['/chaos', { page: 'chaos' }],
  ['/nope/x/y', { page: 'not-found', path: '/nope/x/y' }],
])('matchPath(%s)', (path, route) => {
  it('matches', () => expect(matchPath(path)).toEqual(route));
});

describe('parseHash', () => {
  it('splits path and params', () => {
    const loc = parseHash('#/traces?status=error&range=1h');
    expect(loc.route).toEqual({ page: 'traces' });
    expect(loc.params.get('status')).toBe('error');
  });
  it('treats an empty hash as the map', () => {
    expect(parseHash('').route).toEqual({ page: 'map' });
  });
  it('round-trips every route', () => {
    const routes: Route[] = [{ page: 'map' }, { page: 'trace', traceId: 'abc' }, { page: 'service', service: 'a/b c' }, { page: 'chaos' }];
    for (const r of routes) expect(parseHash(buildHash(r, { x: '1' })).route).toEqual(r);
    expect(routePath({ page: 'service', service: 'a/b' })).toBe('/services/a%2Fb');
  });
});

describe('linkTo', () => {
  it('keeps the run across pages like the time range', () => {
    expect(linkTo({ page: 'incidents' }, new URLSearchParams('run=shop-2&node=orders&range=1h'))).toBe('#/incidents?range=1h&run=shop-2');
  });
  it('keeps the time range, drops page-specific params and adds extras', () => {
    const current = new URLSearchParams('range=1h&node=gateway&refresh=5s');
    const copy = current.toString();
    expect(linkTo({ page: 'traces' }, current, { status: 'error', service: '' })).toBe('#/traces?range=1h&refresh=5s&status=error');
    expect(current.toString()).toBe(copy);
  });
});

describe('withParams', () => {
  it('sets and removes keys without touching the input', () => {
    const current = new URLSearchParams('a=1&b=2');
    const out = withParams(current, { a: null, c: '3' });
    expect(out.toString()).toBe('b=2&c=3');
    expect(current.toString()).toBe('a=1&b=2');
  });
});
