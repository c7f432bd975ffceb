// Gallery samples of an evaluation: clean and adversarial images (uint8 BLOBs) with each model's predictions.
import type { Gallery, GalleryPage, GalleryPageCell, GalleryPageColumn, GallerySample, LabParsedRequest, TestSubset } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { perturbationNorms } from '../../../shared/gallery';
import { decodeJson, encodeJson } from './codec';
import { notFound, type StoreContext } from './context';

/** What recordEvaluation stores with an evaluation; `clean`/`adversarial` may be number[] or Uint8Array. */
export interface GalleryInput {
  width: number;
  height: number;
  classNames: string[];
  samples: (Omit<GallerySample, 'clean' | 'adversarial'> & { clean: ArrayLike<number>; adversarial: ArrayLike<number> })[];
}

interface GalleryMeta {
  width: number;
  height: number;
  classNames: string[];
}

function fail(field: string, message: string): never {
  throw new LabError('invalid_argument', `${field} ${message}`, field);
}

function toPixels(pixels: ArrayLike<number>, size: number, field: string): Buffer {
  if (pixels === null || typeof pixels !== 'object' || typeof pixels.length !== 'number') fail(field, 'must be a list of pixel values');
  if (pixels.length !== size) fail(field, `must hold width×height = ${size} pixels (got ${pixels.length})`);
  if (pixels instanceof Uint8Array) return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    const v = pixels[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) fail(field, `must hold integers 0–255 (got ${String(v)} at ${i})`);
    out[i] = v;
  }
  return out;
}

/** One probability per class, each in [0, 1], summing to 1 (within float32 softmax rounding). */
function checkProbabilities(p: unknown, classes: number, field: string): void {
  if (!Array.isArray(p)) fail(field, 'must be a list of probabilities');
  if (p.length !== classes) fail(field, `must hold one probability per class (${classes}; got ${p.length})`);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v: unknown = p[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(field, `must hold numbers in [0, 1] (got ${String(v)} at ${i})`);
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-3) fail(field, `must sum to 1 (got ${sum})`);
}

/** Validates a gallery and returns its stored form; throws invalid_argument naming the offending field. */
export function encodeGallery(g: GalleryInput): { meta: string; rows: { idx: number; label: number; clean: Buffer; adversarial: Buffer; predictions: string }[] } {
  for (const f of ['width', 'height'] as const) {
    if (!Number.isSafeInteger(g[f]) || g[f] < 1 || g[f] > 4096) fail(`gallery.${f}`, `must be an integer in [1, 4096] (got ${String(g[f])})`);
  }
  if (!Array.isArray(g.classNames) || g.classNames.some((c) => typeof c !== 'string')) fail('gallery.classNames', 'must be a list of strings');
  if (!Array.isArray(g.samples)) fail('gallery.samples', 'must be a list');
  const size = g.width * g.height;
  const rows = g.samples.map((s, i) => {
    const field = `gallery.samples[${i}]`;
    if (!Number.isSafeInteger(s.index) || s.index < 0) fail(`${field}.index`, `must be an integer ≥ 0 (got ${String(s.index)})`);
    if (!Number.isSafeInteger(s.label) || s.label < 0) fail(`${field}.label`, `must be an integer ≥ 0 (got ${String(s.label)})`);
    if (!Array.isArray(s.predictions)) fail(`${field}.predictions`, 'must be a list');
    s.predictions.forEach((p, j) => {
      for (const key of ['cleanProbabilities', 'adversarialProbabilities'] as const) {
        if (p[key] !== undefined) checkProbabilities(p[key], g.classNames.length, `${field}.predictions[${j}].${key}`);
      }
    });
    return {
      idx: s.index,
      label: s.label,
      clean: toPixels(s.clean, size, `${field}.clean`),
      adversarial: toPixels(s.adversarial, size, `${field}.adversarial`),
      predictions: encodeJson(s.predictions),
    };
  });
  const meta: GalleryMeta = { width: g.width, height: g.height, classNames: [...g.classNames] };
  return { meta: encodeJson(meta), rows };
}

export function makeGalleryRepo(ctx: StoreContext) {
  const insert = ctx.db.prepare('INSERT INTO gallery_samples (evaluation_id, position, idx, label, clean, adversarial, predictions) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const head = ctx.db.prepare<[number], { run_id: string; attack: string; norm: string; epsilon: number; gallery: string | null }>(
    'SELECT run_id, attack, norm, epsilon, gallery FROM evaluations WHERE id = ?',
  );
  const samples = ctx.db.prepare<[number], { idx: number; label: number; clean: Buffer; adversarial: Buffer; predictions: string }>(
    'SELECT idx, label, clean, adversarial, predictions FROM gallery_samples WHERE evaluation_id = ? ORDER BY position',
  );

  function insertGallery(evaluationId: number, rows: ReturnType<typeof encodeGallery>['rows']): void {
    rows.forEach((r, position) => insert.run(evaluationId, position, r.idx, r.label, r.clean, r.adversarial, r.predictions));
  }

  /** The gallery stored with an evaluation; not_found when the evaluation does not exist or was stored without one. */
  function getGallery(evaluationId: number): Gallery {
    const e = head.get(evaluationId);
    if (e === undefined) throw notFound('evaluation', evaluationId, 'evaluationId');
    if (e.gallery === null) throw new LabError('not_found', `evaluation ${evaluationId} was stored without gallery samples`, 'evaluationId');
    const meta = decodeJson<GalleryMeta>(e.gallery);
    return {
      evaluationId,
      runId: e.run_id,
      attack: e.attack,
      norm: e.norm,
      epsilon: e.epsilon,
      width: meta.width,
      height: meta.height,
      classNames: meta.classNames,
      samples: samples.all(evaluationId).map((s) => ({
        index: s.idx,
        label: s.label,
        clean: Array.from(s.clean),
        adversarial: Array.from(s.adversarial),
        predictions: decodeJson<GallerySample['predictions']>(s.predictions),
      })),
    };
  }

  const pageHead = ctx.db.prepare<[number], PageHeadRow>(
    'SELECT id, run_id, source_run_id, attack, norm, epsilon, count, subset, gallery, mask FROM evaluations WHERE id = ?',
  );
  const storedCount = ctx.db.prepare<[number], number>('SELECT count(*) FROM gallery_samples WHERE evaluation_id = ?').pluck();
  const samplesAt = ctx.db.prepare<[number, string], { idx: number; label: number; clean: Buffer; adversarial: Buffer; predictions: string }>(
    'SELECT idx, label, clean, adversarial, predictions FROM gallery_samples WHERE evaluation_id = ? AND idx IN (SELECT value FROM json_each(?)) ORDER BY position',
  );

  /**
   * One page of the test subset's examples for evaluations side by side (same indices in each column): the mask bit
   * of every example, and the stored image, predictions and perturbation norms where the evaluation kept one.
   * Refuses (invalid_argument, naming the field) evaluations of different test images, a filter naming an evaluation
   * not requested or without a mask, and a page at or past the last.
   */
  function galleryPage(req: LabParsedRequest<'galleryPage'>): GalleryPage {
    const heads = req.evaluationIds.map((id, i) => {
      const h = pageHead.get(id);
      if (h === undefined) throw notFound('evaluation', id, `evaluationIds.${i}`);
      return h;
    });
    const first = heads[0]!;
    const firstSubset = first.subset === null ? null : decodeJson<TestSubset>(first.subset);
    heads.forEach((h, i) => {
      const subset = h.subset === null ? null : decodeJson<TestSubset>(h.subset);
      const same = h.count === first.count && (subset === null || firstSubset === null || sameSubset(subset, firstSubset));
      if (!same) {
        throw new LabError('invalid_argument', `evaluationIds must all have scored the same test images: evaluation ${h.id} scored ${describeSubset(h.count, subset)}, evaluation ${first.id} ${describeSubset(first.count, firstSubset)}`, `evaluationIds.${i}`);
      }
    });
    const masks = heads.map((h) => (h.mask === null ? null : new Uint8Array(h.mask.buffer, h.mask.byteOffset, h.mask.byteLength)));
    const count = first.count;

    let matching: number[] | null = null;
    if (req.filter !== undefined) {
      const maskFor = (key: 'fooledIn' | 'heldIn'): Uint8Array => {
        const id = req.filter![key];
        const at = req.evaluationIds.indexOf(id);
        if (at < 0) throw new LabError('invalid_argument', `filter.${key} must be one of evaluationIds ${JSON.stringify(req.evaluationIds)} (got ${id})`, `filter.${key}`);
        const m = masks[at];
        if (m === null || m === undefined) throw new LabError('invalid_argument', `filter.${key} must be an evaluation stored with its per-example mask (evaluation ${id} has none)`, `filter.${key}`);
        return m;
      };
      const fooled = maskFor('fooledIn');
      const held = maskFor('heldIn');
      if (req.filter.fooledIn === req.filter.heldIn) throw new LabError('invalid_argument', 'filter.heldIn must differ from filter.fooledIn', 'filter.heldIn');
      matching = [];
      for (let i = 0; i < count; i++) if (fooled[i] === 0 && held[i] === 1) matching.push(i);
    }
    const total = matching === null ? count : matching.length;
    const pages = Math.max(1, Math.ceil(total / req.limit));
    if (req.page >= pages) {
      throw new LabError('invalid_argument', `page must be < ${pages}: ${total} matching examples make ${pages} page${pages === 1 ? '' : 's'} of ${req.limit} (got ${req.page})`, 'page');
    }
    const from = req.page * req.limit;
    const indices = matching === null
      ? Array.from({ length: Math.max(0, Math.min(req.limit, total - from)) }, (_, k) => from + k)
      : matching.slice(from, from + req.limit);
    const wanted = JSON.stringify(indices);

    const columns: GalleryPageColumn[] = [];
    const byColumn = heads.map((h) => {
      const meta = h.gallery === null ? null : decodeJson<GalleryMeta>(h.gallery);
      columns.push({
        evaluationId: h.id, runId: h.run_id, sourceRunId: h.source_run_id, attack: h.attack, norm: h.norm, epsilon: h.epsilon,
        hasMask: h.mask !== null, storedImages: meta === null ? 0 : (storedCount.get(h.id) ?? 0),
        width: meta?.width ?? 0, height: meta?.height ?? 0, classNames: meta?.classNames ?? [],
      });
      const found = new Map<number, GallerySample>();
      if (meta !== null && indices.length > 0) {
        for (const s of samplesAt.all(h.id, wanted)) {
          if (!found.has(s.idx)) {
            found.set(s.idx, { index: s.idx, label: s.label, clean: Array.from(s.clean), adversarial: Array.from(s.adversarial), predictions: decodeJson<GallerySample['predictions']>(s.predictions) });
          }
        }
      }
      return found;
    });

    const entries = indices.map((index) => {
      const cells = heads.map((h, c): GalleryPageCell => {
        const sample = byColumn[c]!.get(index) ?? null;
        const mask = masks[c];
        const own = sample?.predictions.find((p) => p.runId === h.run_id);
        const correct = mask != null ? mask[index] === 1 : sample !== null && own !== undefined ? own.adversarial === sample.label : null;
        return { correct, sample, perturbation: sample === null ? null : perturbationNorms(sample.clean, sample.adversarial) };
      });
      const label = cells.find((c) => c.sample !== null)?.sample?.label ?? null;
      return { index, label, cells };
    });
    return { columns, count, total, page: req.page, limit: req.limit, pages, entries };
  }

  return { insertGallery, getGallery, galleryPage };
}

interface PageHeadRow {
  id: number;
  run_id: string;
  source_run_id: string | null;
  attack: string;
  norm: string;
  epsilon: number;
  count: number;
  subset: string | null;
  gallery: string | null;
  mask: Buffer | null;
}

function sameSubset(a: TestSubset, b: TestSubset): boolean {
  return a.dataset === b.dataset && a.splitSeed === b.splitSeed && a.size === b.size && a.indicesHash === b.indicesHash;
}

function describeSubset(count: number, s: TestSubset | null): string {
  return s === null ? `${count} images` : `${count} images of ${s.dataset} (split seed ${s.splitSeed}, indices ${s.indicesHash})`;
}
