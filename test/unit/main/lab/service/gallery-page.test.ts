// galleryPage through the LabService (as every transport calls it): a read-only lab answers it, and bad requests
// (limit over the maximum, a page out of range, too many or repeated evaluations) are refused naming the field.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { openStore } from '../../../../../src/main/lab/store';
import { GALLERY_PAGE_MAX_EVALUATIONS, GALLERY_PAGE_MAX_LIMIT } from '../../../../../src/shared/gallery';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { tempHome } from './helpers';

const COUNT = 100;
let tmp: ReturnType<typeof tempHome>;
let lab: LabService;
let ids: number[];

beforeAll(async () => {
  tmp = tempHome('rlab-gallery-page-');
  const store = openStore(path.join(tmp.home, 'lab.sqlite'));
  try {
    const config = ExperimentConfigSchema.parse({ name: 'g' });
    const { runs } = store.createExperiment(config, [{ role: 'base', name: 'g base', config: { role: 'base', hparams: config.hparams, advReg: config.advReg, data: config.data, seed: 0, attacks: [] } }]);
    const subset = { dataset: 'mnist-sample', splitSeed: 0, size: COUNT, indicesHash: '0123012301230123' };
    ids = [0.1, 0.2].map((epsilon, k) => {
      const mask = Uint8Array.from({ length: COUNT }, (_, i) => (i % (k + 2) === 0 ? 1 : 0));
      return store.recordEvaluation({
        runId: runs[0]!.id, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon, steps: 1, stepSize: null, restarts: 1, randomStart: false,
        accuracy: mask.reduce((s, v) => s + v, 0) / COUNT, perClassAccuracy: [], count: COUNT, mask, subset,
      }).id;
    });
  } finally {
    store.close();
  }
  lab = await createLabService({ home: tmp.home, access: 'read' });
});
afterAll(async () => {
  await lab?.close();
  tmp.remove();
});

describe('galleryPage over the service', () => {
  it('answers on a read-only lab with the same indices per evaluation and the filter over the masks', async () => {
    const r = await lab.galleryPage({ evaluationIds: ids, page: 1, limit: 10 });
    expect(r).toMatchObject({ count: COUNT, total: COUNT, pages: 10, page: 1 });
    expect(r.entries.map((e) => e.index)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const f = await lab.galleryPage({ evaluationIds: ids, limit: GALLERY_PAGE_MAX_LIMIT, filter: { fooledIn: ids[1]!, heldIn: ids[0]! } });
    // held in ε0.1 (even) and fooled in ε0.2 (not a multiple of 3)
    const expected = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % 2 === 0 && i % 3 !== 0);
    expect(f.total).toBe(expected.length);
    expect(f.entries.map((e) => e.index)).toEqual(expected.slice(0, GALLERY_PAGE_MAX_LIMIT));
  });

  it('refuses bad requests with a message naming the field', async () => {
    await expect(lab.galleryPage({ evaluationIds: ids, limit: GALLERY_PAGE_MAX_LIMIT + 1 })).rejects.toMatchObject({
      code: 'invalid_argument', field: 'limit', message: `limit must be ≤ ${GALLERY_PAGE_MAX_LIMIT} (got ${GALLERY_PAGE_MAX_LIMIT + 1})`,
    });
    await expect(lab.galleryPage({ evaluationIds: ids, page: 7, limit: 16 })).rejects.toMatchObject({ code: 'invalid_argument', field: 'page', message: expect.stringContaining('page must be < 7') });
    await expect(lab.galleryPage({ evaluationIds: ids, page: -1 })).rejects.toMatchObject({ field: 'page', message: expect.stringContaining('page must be ≥ 0') });
    await expect(lab.galleryPage({ evaluationIds: [] })).rejects.toMatchObject({ field: 'evaluationIds' });
    await expect(lab.galleryPage({ evaluationIds: Array.from({ length: GALLERY_PAGE_MAX_EVALUATIONS + 1 }, (_, i) => i + 1) })).rejects.toMatchObject({ field: 'evaluationIds', message: expect.stringContaining(`≤ ${GALLERY_PAGE_MAX_EVALUATIONS} items`) });
    await expect(lab.galleryPage({ evaluationIds: [ids[0]!, ids[0]!] })).rejects.toMatchObject({ field: 'evaluationIds', message: expect.stringContaining('twice') });
    await expect(lab.galleryPage({ evaluationIds: ids, filter: { fooledIn: ids[0]! } } as never)).rejects.toMatchObject({ field: 'filter.heldIn' });
  });
});
