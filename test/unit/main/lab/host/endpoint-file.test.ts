// The endpoint file a host publishes: user-only, complete or absent, removed only by the host that wrote it, and read
// without trusting anything about it.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endpointPath, endpointWsUrl, readEndpoint, writeEndpoint, type HostEndpoint } from '../../../../../src/main/lab/host/endpoint-file';
import { LAB_PROTOCOL_VERSION } from '../../../../../src/shared/contract';

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-endpoint-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const endpoint = (over: Partial<HostEndpoint> = {}): HostEndpoint => ({
  protocol: LAB_PROTOCOL_VERSION,
  url: 'ws://127.0.0.1:40001/ws',
  token: 'a'.repeat(32),
  pid: process.pid,
  command: 'rlab serve',
  startedAt: new Date().toISOString(),
  ...over,
});

function plant(content: string, mode = 0o600): void {
  writeFileSync(endpointPath(home), content, { mode });
  chmodSync(endpointPath(home), mode);
}

describe('writeEndpoint', () => {
  it('publishes a 0600 file that reads back as written, with no temporary file left over', async () => {
    const remove = await writeEndpoint(home, endpoint());
    try {
      expect(statSync(endpointPath(home)).mode & 0o777).toBe(0o600);
      expect(readEndpoint(home)).toEqual({ kind: 'found', endpoint: endpoint({ startedAt: expect.any(String) as unknown as string }) });
      expect(readdirSync(home)).toEqual(['host.json']);
      expect(endpointWsUrl(endpoint())).toBe(`ws://127.0.0.1:40001/ws?token=${'a'.repeat(32)}`);
    } finally {
      remove();
    }
    expect(existsSync(endpointPath(home))).toBe(false);
  });

  it('replaces a stale file, and its remover leaves alone a file another host wrote since', async () => {
    plant('{"left": "by a dead host"}');
    const remove = await writeEndpoint(home, endpoint());
    expect(readEndpoint(home).kind).toBe('found');
    const later = await writeEndpoint(home, endpoint({ token: 'b'.repeat(32), pid: process.pid }));
    remove();
    expect(JSON.parse(readFileSync(endpointPath(home), 'utf8'))).toMatchObject({ token: 'b'.repeat(32) });
    later();
    expect(existsSync(endpointPath(home))).toBe(false);
  });
});

describe('readEndpoint', () => {
  it('finds nothing in a home without one, or a home that does not exist', () => {
    expect(readEndpoint(home)).toEqual({ kind: 'none' });
    expect(readEndpoint(path.join(home, 'no', 'such'))).toEqual({ kind: 'none' });
  });

  it('does not trust a file other users can read or write, a symlink, or one of the wrong shape', () => {
    plant(JSON.stringify(endpoint()), 0o644);
    expect(readEndpoint(home)).toMatchObject({ kind: 'untrusted', why: expect.stringContaining('mode 644') });

    rmSync(endpointPath(home));
    const elsewhere = path.join(home, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify(endpoint()), { mode: 0o600 });
    symlinkSync(elsewhere, endpointPath(home));
    expect(readEndpoint(home)).toMatchObject({ kind: 'untrusted', why: 'it is a symbolic link' });
    rmSync(endpointPath(home));

    const cases: [string, RegExp][] = [
      ['not json at all', /not JSON/],
      [JSON.stringify({ ...endpoint(), url: 'http://127.0.0.1:1/ws' }), /url/],
      [JSON.stringify({ ...endpoint(), token: 'short' }), /token/],
      [JSON.stringify({ ...endpoint(), pid: -1 }), /pid/],
      [JSON.stringify({ ...endpoint(), extra: true }), /not a host endpoint/],
      ['x'.repeat(5000), /larger than 4096 bytes/],
    ];
    for (const [content, why] of cases) {
      plant(content);
      const read = readEndpoint(home);
      expect(read.kind, content.slice(0, 40)).toBe('untrusted');
      expect(read.kind === 'untrusted' ? read.why : '').toMatch(why);
      // what the file holds is never echoed
      if (read.kind === 'untrusted') expect(read.why).not.toContain('a'.repeat(32));
    }
  });
});
