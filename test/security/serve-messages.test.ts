// `rlab serve` with a valid token and hostile messages: malformed and deeply nested JSON, oversized messages, unknown
// methods, bad params, 50 clients at once, and a client that never reads. The server answers or cuts off the one
// client and keeps serving the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type TestClient } from '../unit/main/server/ws-test-client';
import { badInputCounter } from './helpers/bad-inputs';
import { frame, OP_TEXT, openRawWs } from './helpers/raw';
import { expectAlive, type ServeProcess, startServe } from './helpers/serve-process';

const bad = badInputCounter('authenticated messages');
let s: ServeProcess;
let c: TestClient;

beforeAll(async () => {
  s = await startServe();
  c = await connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
});
afterAll(async () => {
  c.ws.terminate();
  expect(await s.stop()).toBe(0);
});

/** Sends one raw message and resolves with the next reply. */
async function exchange(client: TestClient, text: string | Buffer): Promise<Record<string, unknown>> {
  const seen = client.messages.length;
  client.ws.send(text);
  const end = Date.now() + 15_000;
  while (client.messages.length === seen) {
    if (Date.now() > end) throw new Error(`no reply to ${String(text).slice(0, 60)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return client.messages[seen] as Record<string, unknown>;
}

const nested = (depth: number, open: string, close: string, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe('malformed JSON', () => {
  const messages = [
    '{not json',
    '{"id":1,',
    '',
    '\u0000',
    '\ufeff{"id":1,"method":"listRuns"}',
    '[]',
    'null',
    '42',
    '"listRuns"',
    '{}',
    '{"id":"1","method":"listRuns"}',
    '{"id":-1,"method":"listRuns"}',
    '{"id":0,"method":"listRuns"}',
    '{"id":1.5,"method":"listRuns"}',
    '{"id":1e300,"method":"listRuns"}',
    '{"id":9007199254740993,"method":"listRuns"}',
    '{"id":{},"method":"listRuns"}',
    '{"id":1,"method":"listRuns","params":"x"}',
    '{"id":1,"method":"listRuns","params":[]}',
    '{"id":1,"method":"listRuns","params":null}',
    '{"__proto__":{"polluted":true},"id":1,"method":"listRuns","params":{"__proto__":{"polluted":true}}}',
    '{"id":1,"method":"listRuns","params":{"constructor":{"prototype":{"polluted":true}}}}',
    '{"id":1,"id":2,"method":"listRuns","method":"nope"}',
  ];

  it('answers each with an error reply (or a plain answer) and keeps the connection', async () => {
    for (const m of messages) {
      bad.tried();
      const reply = await exchange(c, m);
      expect(typeof reply.id, m).toBe('number');
      expect('ok' in reply, m).toBe(true);
      if (reply.ok === false) expect((reply.error as { code: string }).code, m).toMatch(/invalid_argument|unsupported/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('deeply nested JSON', () => {
  const messages = () => [
    nested(200_000, '[', ']'),
    nested(100_000, '{"a":', '}'),
    `{"id":${nested(200_000, '[', ']')},"method":"listRuns"}`,
    `{"id":1,"method":${nested(200_000, '[', ']')}}`,
    `{"id":1,"method":"getRun","params":{"runId":${nested(200_000, '[', ']')}}}`,
    `{"id":1,"method":"listRuns","params":${nested(100_000, '{"limit":', '}')}}`,
    `{"id":1,"method":"listRuns","params":{"search":${nested(200_000, '[', ']', '"x"')}}}`,
  ];

  it('refuses each as too deep, naming the limit, without overflowing the stack or echoing it back', async () => {
    for (const m of messages()) {
      bad.tried();
      const reply = await exchange(c, m);
      expect(reply).toMatchObject({ id: 0, ok: false, error: { code: 'invalid_argument', field: 'message', message: expect.stringContaining('the limit is 64') } });
      expect(JSON.stringify(reply).length).toBeLessThan(4096);
    }
  });

  it('still reads nesting at the limit, and brackets inside strings do not count', async () => {
    bad.tried(2);
    expect(await exchange(c, `{"id":11,"method":"listRuns","params":{"search":${nested(62, '[', ']')}}}`)).toMatchObject({ id: 11, ok: false, error: { code: 'invalid_argument', field: 'search' } });
    expect(await exchange(c, JSON.stringify({ id: 12, method: 'listRuns', params: { search: '[['.repeat(1000) } }))).toMatchObject({ id: 12 });
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('messages over the size limits', () => {
  it('answers messages over 1 MiB with an error and keeps the connection', async () => {
    for (const size of [1024 * 1024 + 1, 3 * 1024 * 1024]) {
      bad.tried();
      const reply = await exchange(c, JSON.stringify({ id: 5, method: 'listRuns', params: { pad: 'p'.repeat(size) } }));
      expect(reply).toMatchObject({ id: 0, ok: false, error: { code: 'invalid_argument', field: 'message' } });
    }
    expect(await c.call(6, 'listRuns', {})).toMatchObject({ id: 6, ok: true });
  });

  it('closes with 1009 a message over 4 MiB, and only that connection', async () => {
    bad.tried();
    const other = await connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
    other.ws.send('q'.repeat(5 * 1024 * 1024));
    expect((await other.closed).code).toBe(1009);
    expect(await c.call(7, 'listRuns', {})).toMatchObject({ id: 7, ok: true });
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('unknown methods and bad params', () => {
  const methods: unknown[] = ['dropTables', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'listRuns ', 'LISTRUNS', 'x'.repeat(100_000), 123, null, ['listRuns'], { name: 'listRuns' }, true];
  const badParams: [string, unknown][] = [
    ['getRun', { runId: 42 }],
    ['getRun', { runId: '../../etc/passwd' }],
    ['getRun', { runId: 'run_' + 'a'.repeat(10_000) }],
    ['listRuns', { limit: -1 }],
    ['listRuns', { limit: 1e12 }],
    ['listRuns', { limit: 'all' }],
    ['deleteRun', { runId: 'run_doesnotexist' }],
    ['createExperiment', {}],
    ['createExperiment', { name: 'x', config: { epochs: -5 } }],
    ['cancelRun', { runId: null }],
  ];

  it('answers an unknown method with unsupported, naming the field, without echoing a long name', async () => {
    for (const [i, method] of methods.entries()) {
      bad.tried();
      const reply = await exchange(c, JSON.stringify({ id: 100 + i, method, params: {} }));
      expect(reply).toMatchObject({ id: 100 + i, ok: false, error: { code: 'unsupported', field: 'method' } });
      expect(JSON.stringify(reply).length).toBeLessThan(4096);
    }
  });

  it('answers bad params with an error naming the field', async () => {
    for (const [i, [method, params]] of badParams.entries()) {
      bad.tried();
      const reply = await exchange(c, JSON.stringify({ id: 200 + i, method, params }));
      expect(reply.ok, `${method} ${JSON.stringify(params).slice(0, 40)}`).toBe(false);
      expect(JSON.stringify(reply).length).toBeLessThan(32_768);
    }
  });

  it('answers a binary frame with an error', async () => {
    bad.tried();
    expect(await exchange(c, Buffer.from('{"id":1,"method":"listRuns"}'))).toMatchObject({ id: 0, ok: false, error: { field: 'message' } });
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('many clients and a client that never reads', () => {
  it('serves 50 concurrent clients', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`)));
    try {
      const replies = await Promise.all(clients.flatMap((cl) => [cl.call(1, 'listRuns', {}), cl.call(2, 'listExperiments', {}), cl.call(3, 'listJobs', {})]));
      expect(replies.every((r) => r.ok)).toBe(true);
      const health = (await (await fetch(`http://127.0.0.1:${s.port}/api/health?token=${s.token}`)).json()) as { result: { clients: number } };
      expect(health.result.clients).toBeGreaterThanOrEqual(50);
    } finally {
      for (const cl of clients) cl.ws.terminate();
    }
  });

  it('disconnects a client that sends calls but never reads the replies, and keeps serving the others', async () => {
    const reader = await connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
    const slow = await openRawWs(s.port, `/ws?token=${s.token}`);
    slow.pause();
    // ~450 bytes of reply to each 80-byte call
    const one = frame(OP_TEXT, `{"id":1,"method":"${'n'.repeat(60)}"}`);
    const batch = Buffer.concat(Array.from({ length: 2000 }, () => one));
    let sent = 0;
    let cutOff = false;
    void s.waitForLog(/disconnected a client that is not reading/, 60_000).then(() => (cutOff = true), () => undefined);
    // the client never reads the replies; the server must give up on it rather than buffer them all
    while (!cutOff && sent < 400_000 && !slow.destroyed) {
      await new Promise<void>((resolve) => slow.write(batch, () => resolve()));
      sent += 2000;
    }
    bad.tried();
    await s.waitForLog(/disconnected a client that is not reading: [\d.]+ MiB waiting to be sent \(limit 8 MiB\)/);
    console.log(`slow reader cut off after ${sent} unread calls`);
    expect(await reader.call(9, 'listRuns', {})).toMatchObject({ id: 9, ok: true });
    reader.ws.terminate();
    slow.destroy();
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});
