/**
 * Cooperative DNS: name lookups that wait in the greenlet, not in the hub.
 *
 * ```ts
 * const { address } = yield* lookup('example.org');
 * const all = yield* lookupAll('localhost');
 * ```
 *
 * They use Node's `dns.promises.lookup` (getaddrinfo in libuv's thread pool, as the
 * system resolver does) and `resolve*` (c-ares, network DNS). Killable while waiting.
 */
import { promises as dnsp, type LookupAddress, type LookupOptions } from 'node:dns';
import { type Op, trackOp } from '@g/greenlet';
import { untilBody } from './until-body.js';

/** The first address of `hostname` (getaddrinfo). */
export function lookup(
  hostname: string,
  options: Omit<LookupOptions, 'all'> = {},
): Op<LookupAddress> {
  checkHost(hostname, 'lookup');
  return trackOp(
    untilBody(dnsp.lookup(hostname, { ...options, all: false }) as Promise<LookupAddress>),
    'lookup',
  );
}

/** Every address of `hostname` (getaddrinfo). */
export function lookupAll(
  hostname: string,
  options: Omit<LookupOptions, 'all'> = {},
): Op<LookupAddress[]> {
  checkHost(hostname, 'lookupAll');
  return trackOp(untilBody(dnsp.lookup(hostname, { ...options, all: true })), 'lookupAll');
}

/** DNS records of `hostname` of type `rrtype` (default 'A'), from the network. */
export function resolve(hostname: string, rrtype = 'A'): Op<unknown> {
  checkHost(hostname, 'resolve');
  return trackOp(untilBody(dnsp.resolve(hostname, rrtype)), 'resolve');
}

function checkHost(h: unknown, what: string): void {
  if (typeof h !== 'string' || h.length === 0) {
    throw new TypeError(`${what}(hostname): hostname must be a non-empty string, got ${String(h)}`);
  }
}
