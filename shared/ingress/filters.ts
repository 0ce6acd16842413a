import { BlockList, isIP } from 'node:net';
import type { FilterConfig } from '../config/types.js';
import { valueAtPath, valueText, wildcardToRegExp } from '../payload-path.js';

export interface FilterInput {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly payload: unknown;
}

/** A route's ingress filters, compiled once per container. Returns true when the event passes. */
export function compileFilters(filters: FilterConfig | undefined): (input: FilterInput) => boolean {
  if (filters === undefined) return () => true;
  const methods = filters.methods?.map((method) => method.toUpperCase());
  const headers = Object.entries(filters.headers ?? {}).map(([name, source]) => ({
    name: name.toLowerCase(),
    pattern: new RegExp(source),
  }));
  const payload = Object.entries(filters.payload ?? {}).map(([path, pattern]) => ({
    path: path.split('.'),
    pattern: wildcardToRegExp(pattern),
  }));
  return (input) =>
    (methods === undefined || methods.includes(input.method)) &&
    headers.every(({ name, pattern }) => {
      const value = input.headers[name];
      return value !== undefined && pattern.test(value);
    }) &&
    payload.every(({ path, pattern }) => {
      const value = valueAtPath(input.payload, path);
      return value !== undefined && pattern.test(valueText(value));
    });
}

/** Source IP allow-list from CIDRs; undefined allows everyone. */
export function compileSourceIpCheck(
  cidrs: readonly string[] | undefined,
): (ip: string | undefined) => boolean {
  if (cidrs === undefined) return () => true;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix), family);
  }
  return (ip) => {
    if (ip === undefined) return false;
    const family = isIP(ip);
    if (family === 0) return false;
    return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
}
