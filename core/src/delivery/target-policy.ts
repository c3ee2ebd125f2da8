import { BlockList, isIP } from 'node:net';
import type { AllowedTarget } from '../allowed-targets.ts';
import { LearnhookError } from '../errors.ts';

/**
 * Where the hub may send deliveries (SSRF policy). Subscribers choose the target URL, so without
 * this a subscription could make the hub POST into its own network or read a cloud metadata
 * service. Checked on the URL when a subscription is made and before each send, and on every
 * resolved address at connect time (transport.ts), so a name that later resolves to a private
 * address (DNS rebinding) is refused too.
 */

/**
 * A delivery target the policy does not allow (400). The message says why but names neither the
 * URL (it may carry a secret path) nor a resolved address (that would make the hub a DNS oracle
 * for its own network).
 */
export class TargetRefusedError extends LearnhookError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(400, 'target_refused', message, options);
  }
}

export interface TargetPolicyOptions {
  /** Allow loopback, private, CGNAT and unspecified addresses: for self-hosting and tests. */
  allowPrivate: boolean;
  /** Private targets allowed one by one (LEARNHOOK_ALLOWED_TARGETS); never link-local or metadata. */
  allowed?: readonly AllowedTarget[];
}

/** Where a delivery goes, as its URL names it: what LEARNHOOK_ALLOWED_TARGETS entries are matched against. */
export interface TargetOrigin {
  /** Lower case, without brackets or a trailing dot. */
  host: string;
  port: number;
}

/** Names both settings, so an admin who meets the refusal knows what to change. */
const PRIVATE_REFUSED =
  'The target is a loopback, private or unspecified address; deliveries there are not allowed on this hub. ' +
  'An admin can allow it by listing it in LEARNHOOK_ALLOWED_TARGETS (host:port or CIDR) or by setting LEARNHOOK_ALLOW_PRIVATE_TARGETS=true.';

interface Range {
  readonly address: string;
  readonly prefix: number;
}

/** Refused even with allowPrivate: nothing legitimate receives webhooks there, and metadata services hand out credentials. */
const ALWAYS_REFUSED = {
  ipv4: [
    { address: '169.254.0.0', prefix: 16 }, // link-local, includes 169.254.169.254 (AWS, GCP, Azure metadata)
    { address: '100.100.100.200', prefix: 32 }, // Alibaba Cloud metadata, inside CGNAT space
  ],
  ipv6: [
    { address: 'fe80::', prefix: 10 }, // link-local
    { address: 'fd00:ec2::254', prefix: 128 }, // AWS metadata over IPv6, inside fc00::/7
  ],
} as const satisfies Record<'ipv4' | 'ipv6', readonly Range[]>;

/** Refused unless allowPrivate. */
const PRIVATE = {
  ipv4: [
    { address: '0.0.0.0', prefix: 8 }, // "this network": 0.0.0.0 reaches the local host on Linux
    { address: '127.0.0.0', prefix: 8 }, // loopback
    { address: '10.0.0.0', prefix: 8 },
    { address: '172.16.0.0', prefix: 12 },
    { address: '192.168.0.0', prefix: 16 },
    { address: '100.64.0.0', prefix: 10 }, // CGNAT (RFC 6598)
  ],
  ipv6: [
    { address: '::', prefix: 128 }, // unspecified
    { address: '::1', prefix: 128 }, // loopback
    { address: 'fc00::', prefix: 7 }, // unique local
    { address: 'fec0::', prefix: 10 }, // deprecated site-local, still routable inside some networks
  ],
} as const satisfies Record<'ipv4' | 'ipv6', readonly Range[]>;

/** The well-known NAT64 prefix (RFC 6052): 64:ff9b::a.b.c.d reaches a.b.c.d through a NAT64 gateway. */
const NAT64_PREFIX = '64:ff9b::';

function blockList(ranges: { ipv4: readonly Range[]; ipv6: readonly Range[] }): BlockList {
  const list = new BlockList();
  for (const { address, prefix } of ranges.ipv4) {
    list.addSubnet(address, prefix, 'ipv4');
    // BlockList already matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against IPv4 rules; NAT64 it does not.
    list.addSubnet(NAT64_PREFIX + address, 96 + prefix, 'ipv6');
  }
  for (const { address, prefix } of ranges.ipv6) list.addSubnet(address, prefix, 'ipv6');
  return list;
}

const alwaysRefused = blockList(ALWAYS_REFUSED);
const privateRanges = blockList(PRIVATE);

/** The origin a URL names, with the scheme's port when it names none. */
export function targetOrigin(url: URL): TargetOrigin {
  const host = (url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname).toLowerCase().replace(/\.$/, '');
  return { host, port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port) };
}

function listedTarget(address: string, type: 'ipv4' | 'ipv6', origin: TargetOrigin | undefined, allowed: readonly AllowedTarget[]): boolean {
  return allowed.some((entry) => {
    if (entry.port !== null && entry.port !== origin?.port) return false;
    if (entry.kind === 'host') return entry.host === origin?.host;
    const list = new BlockList();
    list.addSubnet(entry.range.address, entry.range.prefix, entry.range.family);
    return list.check(address, type);
  });
}

/**
 * Throws TargetRefusedError unless `ip` (a resolved address, IPv4 or IPv6, optionally with a
 * zone id) may receive deliveries. Link-local and metadata addresses are always refused;
 * loopback, private, CGNAT and unspecified ones unless `allowPrivate` or an `allowed` entry
 * matches the address or the `origin` it was resolved for. IPv4-mapped and NAT64 forms are
 * judged as the IPv4 address they carry.
 */
export function checkTargetAddress(ip: string, options: TargetPolicyOptions, origin?: TargetOrigin): void {
  const address = ip.replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 0) throw new TargetRefusedError('The target address is not an IP address.');
  const type = version === 4 ? 'ipv4' : 'ipv6';
  if (alwaysRefused.check(address, type)) {
    throw new TargetRefusedError('The target is a link-local or cloud metadata address; deliveries there are never allowed.');
  }
  if (options.allowPrivate || !privateRanges.check(address, type)) return;
  if (!listedTarget(address, type, origin, options.allowed ?? [])) throw new TargetRefusedError(PRIVATE_REFUSED);
}

/**
 * Parses a subscriber's target URL and throws TargetRefusedError unless it is http(s), carries no
 * credentials, and (when the host is an IP literal or localhost) passes checkTargetAddress. Other
 * host names are judged when they resolve, at connect time.
 */
export function checkTargetUrl(url: string, options: TargetPolicyOptions): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TargetRefusedError('The target is not a valid absolute URL.', { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TargetRefusedError(`The target scheme ${JSON.stringify(parsed.protocol.slice(0, -1))} is not allowed; use http or https.`);
  }
  // Credentials in the URL would be sent as Basic auth and end up in logs and delivery records.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TargetRefusedError('The target URL must not contain a user name or password.');
  }
  // The URL parser has already normalised IP literals (2130706433, 0x7f.1, [::ffff:127.0.0.1]).
  const origin = targetOrigin(parsed);
  if (isIP(origin.host) !== 0) checkTargetAddress(origin.host, options, origin);
  // "localhost" and its subdomains always mean loopback (RFC 6761 §6.3): refuse them now like
  // 127.0.0.1, instead of accepting a hook whose every delivery would fail at connect time.
  else if (/(^|\.)localhost$/.test(origin.host)) checkTargetAddress('127.0.0.1', options, origin);
  return parsed;
}
