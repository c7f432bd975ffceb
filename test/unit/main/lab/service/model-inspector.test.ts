// The model inspector against real worker processes: it answers from the real engine worker, keeps it for the next
// check, and turns a worker that dies, fails to start or hangs into an error for the caller, never a host crash.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelInspector } from '../../../../../src/main/lab/service/model-inspector';
import { forkWorkerFactory } from '../../../../../src/main/lab/worker/spawn';
import { LabError } from '../../../../../src/shared/errors';
import { writeDenseBomb } from '../models/bomb-models';

const here = path.dirname(fileURLToPath(import.meta.url));
const REQUEST = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10, saveTo: null };
let home: string;

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-inspector-'));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<LabError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  return err as LabError;
}

describe('modelInspector', () => {
  it('checks models in one real engine worker, reused while checks keep coming, and stops it on close', async () => {
    const pids: (number | undefined)[] = [];
    const real = forkWorkerFactory();
    const inspector = modelInspector({
      factory: (o) => {
        const h = real(o);
        pids.push(h.pid);
        return h;
      },
      home,
    });
    const bomb = writeDenseBomb(path.join(home, 'bomb'));
    const notJson = path.join(home, 'not.json');
    writeFileSync(notJson, 'root:x:0:0\n');
    expect(await failure(inspector.inspect({ ...REQUEST, modelPath: bomb }))).toMatchObject({ code: 'invalid_argument', field: 'modelPath', message: expect.stringContaining('units 200000 is above the limit of 8192') });
    expect(await failure(inspector.inspect({ ...REQUEST, modelPath: notJson }))).toMatchObject({ code: 'corrupt_data', message: `${notJson} is not a TF.js layers model.json (not valid JSON)` });
    expect(pids).toHaveLength(1);
    await inspector.close();
    expect(() => process.kill(pids[0]!, 0)).toThrow();
  });

  it('reports a worker that exits before it is ready, or whose engine cannot load, as an engine error', async () => {
    const dies = modelInspector({ factory: forkWorkerFactory(path.join(here, 'exit-worker.mjs')), home });
    expect(await failure(dies.inspect({ ...REQUEST, modelPath: '/x/model.json' }))).toMatchObject({ code: 'engine_error', message: 'the engine worker checking the model exited with code 3 before it answered' });
    await dies.close();
    const noEngine = modelInspector({ factory: forkWorkerFactory(path.join(here, 'no-engine-worker.mjs')), home });
    expect(await failure(noEngine.inspect({ ...REQUEST, modelPath: '/x/model.json' }))).toMatchObject({ code: 'engine_error', message: 'the engine worker checking the model failed: no TensorFlow backend could be loaded' });
    await noEngine.close();
  });

  it('stops a check that does not answer in time and kills its worker', async () => {
    const hang = path.join(home, 'hang-worker.mjs');
    writeFileSync(hang, "process.send({ type: 'ready', engine: {}, pid: process.pid }); setInterval(() => undefined, 1000);\n");
    const inspector = modelInspector({ factory: forkWorkerFactory(hang), home, timeoutMs: 3000 });
    expect(await failure(inspector.inspect({ ...REQUEST, modelPath: '/x/model.json' }))).toMatchObject({ code: 'engine_error', message: 'checking the model took longer than 3 s; it was stopped' });
    await inspector.close();
  });
});
