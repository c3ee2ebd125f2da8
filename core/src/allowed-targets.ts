import { isIP } from 'node:net';

/**
 * LEARNHOOK_ALLOWED_TARGETS: the private delivery targets one hub may reach, listed one by one
 * (a self-hosted n8n on the same network) instead of every private address at once. Parsed here,
 * beside the other settings; the delivery target policy applies it.
 */

/** An address range in CIDR form; a single address is a range of its full length. */
export interface AddressRange {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** One allowed target: a host name (the URL's host, as written), or an address range; either on one port or any. */
export type AllowedTarget = { kind: 'host'; host: string; port: number | null } | { kind: 'range'; range: AddressRange; port: number | null };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Parses `10.0.0.0/8`, `fd00::/8` or a bare address; null when `text` is none of these. */
export function parseAddressRange(text: string): AddressRange | null {
  const [address = '', prefixText, ...rest] = text.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return null;
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function parsePort(text: string): number | null {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  return port >= 1 && port <= 65_535 ? port : null;
}

/** Splits `host:port`, `[v6]:port`, `[v6]`, `v6`, `v4`, `v4/24` into what precedes the port and the port. */
function splitPort(entry: string): { target: string; port: string | null } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed) return { target: bracketed[1] ?? '', port: bracketed[2] ?? null };
  // More than one colon and no brackets: an IPv6 address or range, which cannot carry a port.
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) return { target: entry, port: null };
  const colon = entry.indexOf(':');
  return colon === -1 ? { target: entry, port: null } : { target: entry.slice(0, colon), port: entry.slice(colon + 1) };
}

function parseEntry(entry: string): AllowedTarget {
  if (entry.includes('/') && !parseAddressRange(entry)) throw new Error(`"${entry}": write a host:port or a CIDR range, without a scheme or path (n8n:5678)`);
  const { target, port: portText } = splitPort(entry.toLowerCase());
  const port = portText === null ? null : parsePort(portText);
  if (portText !== null && port === null) throw new Error(`"${entry}": the port must be a number from 1 to 65535`);
  // A CIDR range with a port was refused above (its "/" made it no range), so a port here goes with one address.
  const range = parseAddressRange(target);
  if (range) return { kind: 'range', range, port };
  const host = target.replace(/\.$/, '');
  if (!HOST_NAME.test(host)) throw new Error(`"${entry}": not a host, host:port, address or CIDR range`);
  return { kind: 'host', host, port };
}

/** Parses the comma- or space-separated setting; throws an Error naming the first bad entry. */
export function parseAllowedTargets(text: string): AllowedTarget[] {
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map(parseEntry);
}
