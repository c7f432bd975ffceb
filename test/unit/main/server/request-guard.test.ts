import { type IncomingMessage } from 'node:http';
import { type NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostProblem, originProblem, ownAuthorities, parseRequestUrl, shownHeader } from '../../../../src/main/server/request-guard';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const IFACES = {
  lo: [{ address: '127.0.0.1', family: 'IPv4' }],
  eth0: [
    { address: '192.168.1.20', family: 'IPv4' },
    { address: 'fe80::1', family: 'IPv6' },
  ],
} as unknown as NodeJS.Dict<NetworkInterfaceInfo[]>;

describe('ownAuthorities', () => {
  it('names the loopback addresses on the port, plus the bound address', () => {
    expect([...ownAuthorities('127.0.0.1', 8717, IFACES)].sort()).toEqual(['127.0.0.1:8717', '[::1]:8717', 'localhost:8717']);
    expect(ownAuthorities('192.168.1.20', 9000, IFACES)).toContain('192.168.1.20:9000');
    expect(ownAuthorities('::1', 9000, IFACES)).toContain('[::1]:9000');
    expect(ownAuthorities('Lab.Example', 9000, IFACES)).toContain('lab.example:9000');
  });

  it('adds every interface address for a wildcard bind, IPv6 only for ::', () => {
    const v4 = ownAuthorities('0.0.0.0', 8717, IFACES);
    expect(v4).toContain('192.168.1.20:8717');
    expect(v4).not.toContain('[fe80::1]:8717');
    expect(ownAuthorities('::', 8717, IFACES)).toContain('[fe80::1]:8717');
  });

  it('accepts the bare name on port 80, where browsers leave the port out', () => {
    expect(ownAuthorities('127.0.0.1', 80, IFACES)).toContain('localhost');
    expect(ownAuthorities('127.0.0.1', 8080, IFACES)).not.toContain('localhost');
  });
});

describe('parseRequestUrl', () => {
  it('reads origin-form targets, keeping //host as a path', () => {
    expect(parseRequestUrl('/ws?token=abc')!.searchParams.get('token')).toBe('abc');
    expect(parseRequestUrl('//[')!.pathname).toBe('//[');
    expect(parseRequestUrl('//evil.example/ws')!.pathname).toBe('//evil.example/ws');
  });

  it('returns null for anything else instead of throwing', () => {
    for (const raw of [undefined, '', '*', 'http://evil.example/ws', 'ws']) expect(parseRequestUrl(raw)).toBeNull();
  });
});

describe('hostProblem and originProblem', () => {
  const own = ownAuthorities('127.0.0.1', 8717, IFACES);

  it('accepts the own loopback names in any case and refuses the rest', () => {
    expect(hostProblem(req({ host: 'LOCALHOST:8717' }), own)).toBeNull();
    expect(hostProblem(req({ host: '[::1]:8717' }), own)).toBeNull();
    expect(hostProblem(req({ host: 'evil.example:8717' }), own)).toBe('Host "evil.example:8717" is not this server\'s own address');
    expect(hostProblem(req({ host: '127.0.0.1' }), own)).not.toBeNull();
    expect(hostProblem(req({}), own)).toBe('no Host header');
  });

  it('lets a missing Origin through (not a browser) and refuses other sites, null and https', () => {
    expect(originProblem(req({}), own)).toBeNull();
    expect(originProblem(req({ origin: 'http://127.0.0.1:8717' }), own)).toBeNull();
    for (const o of ['http://evil.example', 'null', 'https://127.0.0.1:8717', 'http://127.0.0.1:8718', 'http://127.0.0.1:8717/', '']) {
      expect(originProblem(req({ origin: o }), own), o).toMatch(/^Origin ".*" is not this server/);
    }
  });

  it('quotes header values for logs with control characters escaped and a bounded length', () => {
    expect(shownHeader('a\r\nb')).toBe('"a\\r\\nb"');
    expect(shownHeader('x'.repeat(500)).length).toBeLessThan(90);
  });
});
