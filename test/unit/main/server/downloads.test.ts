// Downloads in-process, with the LabApi answered by a stub (as a proxy's `call` would be): expiry removes the waiting
// export, the size and live-download limits refuse with a sentence, and closing the server cleans up.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope } from '../../../../src/shared/errors';
import { safeFilePart } from '../../../../src/main/server/downloads';
import { startServer, type RunningServer } from '../../../../src/main/server/server';
import { createFakeLab } from '../handlers/fake-lab';
import { connect, type TestClient } from './ws-test-client';

let server: RunningServer | undefined;
let client: TestClient | undefined;
let tmp = '';
const oldTmp = process.env.TMPDIR;
let exports: unknown[] = [];

beforeEach(() => {
  tmp = mkdtempSync(path.join(oldTmp ?? '/tmp', 'rlab-dl-unit-'));
  process.env.TMPDIR = tmp;
  exports = [];
});
afterEach(async () => {
  client?.ws.terminate();
  await server?.close();
  server = undefined;
  if (oldTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = oldTmp;
  rmSync(tmp, { recursive: true, force: true });
});

/** getRun and exportModel as the host answers them, writing `weightBytes` of weights. */
function stubCall(weightBytes = 100) {
  return async (method: unknown, params: unknown): Promise<Envelope<unknown>> => {
    if (method === 'getRun') return { ok: true, result: { id: (params as { runId: string }).runId, name: 'my run: "adv" / seed 0' } };
    if (method === 'exportModel') {
      exports.push(params);
      const { outDir } = params as { outDir: string };
      mkdirSync(outDir);
      writeFileSync(path.join(outDir, 'model.json'), '{}');
      writeFileSync(path.join(outDir, 'weights.bin'), Buffer.alloc(weightBytes));
      return { ok: true, result: { files: [path.join(outDir, 'model.json'), path.join(outDir, 'weights.bin')] } };
    }
    return { ok: false, error: { code: 'unsupported', message: `stub has no ${String(method)}` } };
  };
}

async function start(extra: Partial<Parameters<typeof startServer>[0]>): Promise<RunningServer> {
  server = await startServer({ service: createFakeLab().service, port: 0, rendererDir: tmp, log: () => undefined, call: stubCall(), ...extra });
  client = await connect(server.wsUrl);
  return server;
}

let id = 1;
async function create(params: unknown = { runId: 'run_abc' }): Promise<{ ok: boolean; result?: { url: string; filename: string; bytes: number }; error?: { code: string; message: string } }> {
  const r = await client!.call(id++, 'createModelDownload', params);
  return r as never;
}
const pending = () => readdirSync(tmp).filter((n) => n.startsWith('rlab-download-'));

describe('model downloads', () => {
  it('exports without recording an artifact, into a temp folder that expiry removes; the expired link says so', async () => {
    const s = await start({ downloadTtlMs: 150 });
    const r = await create();
    expect(r.ok).toBe(true);
    expect(exports).toEqual([{ runId: 'run_abc', format: 'tfjs', outDir: expect.stringMatching(/rlab-download-.*\/model$/), recordArtifact: false }]);
    expect(r.result!.filename).toBe('rlab-my-run-adv-seed-0-run_abc-tfjs.zip');
    expect(pending()).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 300));
    const got = await fetch(`http://127.0.0.1:${s.port}${r.result!.url}`);
    expect(got.status).toBe(410);
    expect(await got.text()).toContain('expired');
    await expect.poll(pending).toEqual([]);
  });

  it('refuses a download over the size limit, and more live downloads than allowed, with a sentence', async () => {
    await start({ maxDownloadBytes: 50 });
    const big = await create();
    expect(big.error).toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('downloads are limited to') });
    expect(pending()).toEqual([]);
    await server!.close();
    await start({});
    for (let i = 0; i < 4; i++) expect((await create()).ok).toBe(true);
    expect((await create()).error).toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('4 downloads are already') });
    expect(pending()).toHaveLength(4);
    // closing the server removes what was never fetched
    await server!.close();
    expect(pending()).toEqual([]);
  });

  it('keeps file names to safe characters', () => {
    expect(safeFilePart('../../etc/passwd', 'x')).toBe('etc-passwd');
    expect(safeFilePart('a"b\r\nContent-Type: x', 'x')).toBe('a-b-Content-Type-x');
    expect(safeFilePart('名前', 'model')).toBe('model');
    expect(safeFilePart('...', 'model')).toBe('model');
    expect(safeFilePart('x'.repeat(100), 'm')).toHaveLength(60);
  });
});
