import { describe, expect, it } from 'vitest';
import { parseAllowedTargets } from '../allowed-targets.ts';
import { LearnhookError } from '../errors.ts';
import { thrownBy } from '../testing/errors.ts';
import { checkTargetAddress, checkTargetUrl, TargetRefusedError } from './target-policy.ts';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

const refusal = (check: () => unknown) => thrownBy(TargetRefusedError, check);

describe('TargetRefusedError', () => {
  it('is a 400 LearnhookError with the code target_refused', () => {
    const error = refusal(() => checkTargetAddress('169.254.169.254', lenient));
    expect(error).toBeInstanceOf(LearnhookError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('target_refused');
    expect(error.message).toMatch(/metadata/);
  });

  it('does not name the resolved address, so the hub cannot be used to map its own network', () => {
    expect(refusal(() => checkTargetAddress('10.1.2.3', strict)).message).not.toContain('10.1.2.3');
  });
});

describe('checkTargetAddress', () => {
  const alwaysRefused = {
    'IPv4 link-local': '169.254.1.1',
    'the AWS/GCP/Azure metadata address': '169.254.169.254',
    'the Alibaba metadata address inside CGNAT space': '100.100.100.200',
    'IPv6 link-local': 'fe80::1',
    'IPv6 link-local with a zone id': 'fe80::1%eth0',
    'the top of fe80::/10': 'febf:ffff::1',
    'the AWS IPv6 metadata address inside fc00::/7': 'fd00:ec2::254',
    'IPv4-mapped metadata, dotted': '::ffff:169.254.169.254',
    'IPv4-mapped metadata, hex': '::ffff:a9fe:a9fe',
    'NAT64 metadata': '64:ff9b::a9fe:a9fe',
  };

  for (const [name, ip] of Object.entries(alwaysRefused)) {
    it(`always refuses ${name} (${ip}), even when private targets are allowed`, () => {
      expect(refusal(() => checkTargetAddress(ip, lenient)).message).toMatch(/link-local or cloud metadata/);
      expect(() => checkTargetAddress(ip, strict)).toThrow(TargetRefusedError);
    });
  }

  const privateOnly = {
    'IPv4 loopback': '127.0.0.1',
    'the top of 127/8': '127.255.255.254',
    '10/8': '10.0.0.1',
    'the bottom of 172.16/12': '172.16.0.1',
    'the top of 172.16/12': '172.31.255.255',
    '192.168/16': '192.168.1.10',
    'CGNAT 100.64/10': '100.64.0.1',
    'the top of CGNAT': '100.127.255.254',
    'IPv4 unspecified': '0.0.0.0',
    'the rest of 0/8': '0.1.2.3',
    'IPv6 loopback': '::1',
    'IPv6 unspecified': '::',
    'IPv6 unique local fc00::/7 (fc)': 'fc00::1',
    'IPv6 unique local fc00::/7 (fd)': 'fd12:3456::1',
    'uppercase IPv6': 'FD12:3456::1',
    'deprecated site-local fec0::/10, just above link-local': 'fec0::1',
    'IPv4-mapped loopback, dotted': '::ffff:127.0.0.1',
    'IPv4-mapped loopback, hex': '::ffff:7f00:1',
    'IPv4-mapped 10/8': '::ffff:10.0.0.1',
    'IPv4-mapped 172.16/12': '::ffff:172.20.0.1',
    'IPv4-mapped 192.168/16': '::ffff:192.168.0.1',
    'IPv4-mapped CGNAT': '::ffff:100.64.0.1',
    'IPv4-mapped unspecified': '::ffff:0.0.0.0',
    'NAT64 loopback': '64:ff9b::7f00:1',
    'NAT64 10/8': '64:ff9b::10.0.0.1',
  };

  for (const [name, ip] of Object.entries(privateOnly)) {
    it(`refuses ${name} (${ip}) unless private targets are allowed`, () => {
      expect(refusal(() => checkTargetAddress(ip, strict)).message).toMatch(/loopback, private or unspecified/);
      expect(() => checkTargetAddress(ip, lenient)).not.toThrow();
    });
  }

  const publicAddresses = {
    'a public IPv4': '93.184.215.14',
    'just below 172.16/12': '172.15.255.255',
    'just above 172.16/12': '172.32.0.1',
    'just below CGNAT': '100.63.255.255',
    'just above CGNAT': '100.128.0.1',
    'just outside 169.254/16': '169.255.0.1',
    'a public IPv6': '2606:4700:4700::1111',
    'a global unicast IPv6 in 2001::/16': '2001:4860:4860::8888',
    'an IPv4-mapped public address': '::ffff:93.184.215.14',
    'a NAT64 public address': '64:ff9b::8.8.8.8',
  };

  for (const [name, ip] of Object.entries(publicAddresses)) {
    it(`allows ${name} (${ip})`, () => {
      expect(() => checkTargetAddress(ip, strict)).not.toThrow();
    });
  }

  it('refuses something that is not an IP address', () => {
    expect(() => checkTargetAddress('example.com', lenient)).toThrow(TargetRefusedError);
    expect(() => checkTargetAddress('', lenient)).toThrow(TargetRefusedError);
  });
});

describe('checkTargetUrl', () => {
  it('returns the parsed URL of an https or http target', () => {
    expect(checkTargetUrl('https://hooks.zapier.com/hooks/standard/1/abc/', strict).hostname).toBe('hooks.zapier.com');
    expect(checkTargetUrl('http://n8n.example.com:5678/webhook/x', strict).port).toBe('5678');
  });

  it('refuses other schemes', () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)', 'data:text/plain,x']) {
      expect(refusal(() => checkTargetUrl(url, lenient)).message).toMatch(/scheme/);
    }
  });

  it('refuses URLs with a user name or password', () => {
    expect(refusal(() => checkTargetUrl('https://user:pass@example.com/', strict)).message).toMatch(/user name or password/);
    expect(() => checkTargetUrl('https://user@example.com/', lenient)).toThrow(TargetRefusedError);
    expect(() => checkTargetUrl('https://:pass@example.com/', lenient)).toThrow(TargetRefusedError);
  });

  it('refuses something that is not an absolute URL', () => {
    expect(() => checkTargetUrl('/relative/path', lenient)).toThrow(TargetRefusedError);
    expect(() => checkTargetUrl('not a url', lenient)).toThrow(TargetRefusedError);
  });

  it('applies the address policy to IP literals, in every spelling the URL parser accepts', () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://10.0.0.5/']) {
      expect(() => checkTargetUrl(url, strict), url).toThrow(TargetRefusedError);
      expect(() => checkTargetUrl(url, lenient), url).not.toThrow();
    }
    expect(() => checkTargetUrl('http://169.254.169.254/latest/meta-data/', lenient)).toThrow(TargetRefusedError);
    expect(() => checkTargetUrl('http://[fd00:ec2::254]/', lenient)).toThrow(TargetRefusedError);
  });

  it('leaves host names other than localhost to the connect-time check of their resolved addresses', () => {
    expect(() => checkTargetUrl('http://lms-hooks.internal.example:3000/', strict)).not.toThrow();
  });
});

describe('checkTargetUrl with localhost names', () => {
  it.each(['http://localhost:8080/hook', 'http://LOCALHOST./hook', 'http://zap.localhost/hook', 'http://127.0.0.1/hook'])(
    'refuses %s on a hub that refuses private targets',
    (url) => {
      expect(() => checkTargetUrl(url, { allowPrivate: false })).toThrow(TargetRefusedError);
    },
  );

  it('allows localhost names on a hub that allows private targets, and public names either way', () => {
    expect(checkTargetUrl('http://localhost:5678/webhook', { allowPrivate: true }).hostname).toBe('localhost');
    expect(checkTargetUrl('https://hooks.zapier.com/hooks/standard/1/abc', { allowPrivate: false }).hostname).toBe('hooks.zapier.com');
    expect(checkTargetUrl('https://notlocalhost.example/hook', { allowPrivate: false }).hostname).toBe('notlocalhost.example');
  });

  it('still refuses link-local metadata addresses when private targets are allowed', () => {
    expect(() => checkTargetUrl('http://169.254.169.254/latest/meta-data/', { allowPrivate: true })).toThrow(TargetRefusedError);
  });
});

describe('LEARNHOOK_ALLOWED_TARGETS entries', () => {
  const listing = (text: string) => ({ allowPrivate: false, allowed: parseAllowedTargets(text) });

  it('let a listed private range through on any port, and nothing outside it', () => {
    const policy = listing('10.20.0.0/16');
    expect(() => checkTargetUrl('http://10.20.3.4:5678/webhook/x', policy)).not.toThrow();
    expect(() => checkTargetUrl('https://10.20.3.4/webhook/x', policy)).not.toThrow();
    expect(() => checkTargetUrl('http://10.21.3.4:5678/webhook/x', policy)).toThrow(TargetRefusedError);
    expect(() => checkTargetUrl('http://192.168.1.1/', policy)).toThrow(TargetRefusedError);
  });

  it('let a listed host:port through only on that port', () => {
    const policy = listing('localhost:5678, [::1]:8443');
    expect(() => checkTargetUrl('http://localhost:5678/webhook/x', policy)).not.toThrow();
    expect(() => checkTargetUrl('http://LOCALHOST:5678/webhook/x', policy)).not.toThrow();
    expect(() => checkTargetUrl('http://localhost:5679/webhook/x', policy)).toThrow(TargetRefusedError);
    expect(() => checkTargetUrl('http://localhost/webhook/x', policy)).toThrow(TargetRefusedError);
    expect(() => checkTargetUrl('https://[::1]:8443/', policy)).not.toThrow();
    expect(() => checkTargetUrl('https://[::1]/', policy)).toThrow(TargetRefusedError);
  });

  it('match a resolved address against the host name and port it was resolved for', () => {
    const policy = listing('n8n:5678');
    expect(() => checkTargetAddress('172.18.0.5', policy, { host: 'n8n', port: 5678 })).not.toThrow();
    expect(() => checkTargetAddress('172.18.0.5', policy, { host: 'n8n', port: 22 })).toThrow(TargetRefusedError);
    expect(() => checkTargetAddress('172.18.0.5', policy, { host: 'postgres', port: 5678 })).toThrow(TargetRefusedError);
    expect(() => checkTargetAddress('172.18.0.5', policy)).toThrow(TargetRefusedError);
  });

  it('never open link-local or metadata addresses, even when listed', () => {
    const policy = listing('169.254.0.0/16, metadata.internal, 0.0.0.0/0');
    expect(() => checkTargetUrl('http://169.254.169.254/latest/meta-data/', policy)).toThrow(/link-local or cloud metadata/);
    expect(() => checkTargetAddress('169.254.169.254', policy, { host: 'metadata.internal', port: 80 })).toThrow(TargetRefusedError);
  });

  it('are named, with the all-or-nothing setting, in the refusal of a private target', () => {
    const message = refusal(() => checkTargetUrl('http://192.168.1.20:5678/webhook/x', listing('10.0.0.0/8'))).message;
    expect(message).toContain('LEARNHOOK_ALLOWED_TARGETS');
    expect(message).toContain('LEARNHOOK_ALLOW_PRIVATE_TARGETS=true');
    expect(message).not.toContain('192.168.1.20');
  });
});
