// Gallery samples of an evaluation: clean and adversarial images (uint8 BLOBs) with each model's predictions.
import type { Gallery, GallerySample } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
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

  return { insertGallery, getGallery };
}
