import { describe, expect, it } from 'vitest';
import { parseAddressRange, parseAllowedTargets } from './allowed-targets.ts';

describe('parseAllowedTargets', () => {
  it('reads host:port, host, address, [IPv6]:port and CIDR entries, comma or space separated', () => {
    expect(parseAllowedTargets('n8n:5678, Hooks.Internal.  10.0.0.0/8 192.168.1.5:443,[fd00::5]:8080 fd00::/8')).toEqual([
      { kind: 'host', host: 'n8n', port: 5678 },
      { kind: 'host', host: 'hooks.internal', port: null },
      { kind: 'range', range: { address: '10.0.0.0', prefix: 8, family: 'ipv4' }, port: null },
      { kind: 'range', range: { address: '192.168.1.5', prefix: 32, family: 'ipv4' }, port: 443 },
      { kind: 'range', range: { address: 'fd00::5', prefix: 128, family: 'ipv6' }, port: 8080 },
      { kind: 'range', range: { address: 'fd00::', prefix: 8, family: 'ipv6' }, port: null },
    ]);
  });

  it('reads an empty setting as no entries', () => {
    expect(parseAllowedTargets('')).toEqual([]);
    expect(parseAllowedTargets(' , ')).toEqual([]);
  });

  it.each([
    ['n8n:0', /port must be a number/],
    ['n8n:70000', /port must be a number/],
    ['n8n:http', /port must be a number/],
    ['10.0.0.0/33', /without a scheme or path/],
    ['10.0.0.0/8:5678', /without a scheme or path/],
    ['[fd00::5]/8:80', /without a scheme or path/],
    ['192.168.1.0/32:443', /without a scheme or path/],
    ['http://n8n:5678', /without a scheme or path/],
    ['n8n/webhook', /without a scheme or path/],
    ['under_score.example', /not a host/],
  ])('refuses %s, naming the entry', (entry, reason) => {
    expect(() => parseAllowedTargets(`n8n:5678,${entry}`)).toThrow(reason);
    expect(() => parseAllowedTargets(entry)).toThrow(entry);
  });
});

describe('parseAddressRange', () => {
  it('reads an address as a range of its own full length, and nothing else as a range', () => {
    expect(parseAddressRange('172.16.0.0/12')).toEqual({ address: '172.16.0.0', prefix: 12, family: 'ipv4' });
    expect(parseAddressRange('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    expect(parseAddressRange('loopback')).toBeNull();
    expect(parseAddressRange('10.0.0.0/8/8')).toBeNull();
    expect(parseAddressRange('10.0.0.0/')).toBeNull();
  });
});
