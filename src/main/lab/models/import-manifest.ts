// Reads a TF.js layers model.json and validates its weights manifest (paths, dtypes, byte sizes) without reading any weight bytes.
import type * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

/** Larger model.json files are not layers models a person would train on MNIST; refusing them bounds memory. */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
/** Same bound for the weights: an MNIST classifier is a few MB. */
export const MAX_WEIGHT_BYTES = 1024 * 1024 * 1024;
const FLOAT32_BYTES = 4;
const FIELD = 'modelPath';

/** One weights group: its files (absolute, inside the model folder) and the tensors packed into them, in order. */
export interface WeightGroup {
  files: string[];
  specs: tf.io.WeightsManifestEntry[];
  bytes: number;
}

export interface ValidatedModelJson {
  /** Absolute path of model.json. */
  path: string;
  topology: tf.io.ModelJSON['modelTopology'];
  groups: WeightGroup[];
}

const corrupt = (message: string): LabError => new LabError('corrupt_data', message, FIELD);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A manifest path as a file inside `dir`; rejects URLs, absolute paths and any `..` step, before touching the disk. */
export function weightFilePath(dir: string, rel: unknown, jsonPath: string): string {
  if (typeof rel !== 'string' || rel.trim() === '') throw corrupt(`${jsonPath}: a weights path is empty or not a string`);
  if (rel.includes('\0')) throw new LabError('invalid_argument', `${jsonPath}: weights path ${JSON.stringify(rel)} contains a NUL byte`, FIELD);
  // a scheme (http:, file:, data:, C:) means a URL or a drive path, never a file beside model.json
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(rel) || rel.startsWith('//')) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${JSON.stringify(rel)} is a URL; weights must be files in the model's folder`, FIELD);
  }
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${JSON.stringify(rel)} is absolute; weights must be given relative to the model's folder`, FIELD);
  }
  if (rel.split(/[\\/]/).includes('..')) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${JSON.stringify(rel)} uses "..", leaving the model's folder`, FIELD);
  }
  const file = path.resolve(dir, rel);
  const inside = path.relative(dir, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${JSON.stringify(rel)} does not name a file inside the model's folder`, FIELD);
  }
  return file;
}

function weightBytes(spec: unknown, jsonPath: string, seen: Set<string>): number {
  if (!isRecord(spec) || typeof spec.name !== 'string' || spec.name === '') throw corrupt(`${jsonPath}: a weights entry has no name`);
  const name = spec.name;
  if (seen.has(name)) throw corrupt(`${jsonPath}: weight "${name}" is listed twice in the manifest`);
  seen.add(name);
  const shape = spec.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt(`${jsonPath}: weight "${name}" has shape ${JSON.stringify(shape)}; a shape must list non-negative integers`);
  }
  if (spec.dtype !== 'float32') {
    throw new LabError('unsupported', `${jsonPath}: weight "${name}" has dtype ${JSON.stringify(spec.dtype)}; only float32 weights can be imported`, FIELD);
  }
  if (spec.quantization !== undefined && spec.quantization !== null) {
    throw new LabError('unsupported', `${jsonPath}: weight "${name}" is quantized; only unquantized float32 weights can be imported (re-export without quantization)`, FIELD);
  }
  return (shape as number[]).reduce((a, b) => a * b, 1) * FLOAT32_BYTES;
}

/**
 * Parses model.json and checks, before any weight byte is read: it is a layers model; every weights path
 * stays inside the model's folder; every weight is float32; and each group's files exist and together hold
 * exactly the bytes the manifest's shapes need.
 */
export async function readModelJson(modelJsonPath: string): Promise<ValidatedModelJson> {
  if (typeof modelJsonPath !== 'string' || modelJsonPath.trim() === '') throw new LabError('invalid_argument', `${FIELD} must be the path of a model.json file`, FIELD);
  const jsonPath = path.resolve(modelJsonPath);
  const dir = path.dirname(jsonPath);
  let text: string;
  try {
    const stat = await fs.stat(jsonPath);
    if (!stat.isFile()) throw new Error('not a file');
    if (stat.size > MAX_MODEL_JSON_BYTES) throw new LabError('unsupported', `${jsonPath} is ${stat.size} bytes; a layers model.json is at most ${MAX_MODEL_JSON_BYTES}`, FIELD);
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('io_error', `cannot read the model ${jsonPath}: ${err instanceof Error ? err.message : String(err)}`, FIELD);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw corrupt(`${jsonPath} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(json)) throw corrupt(`${jsonPath} does not hold a JSON object`);
  if (json.format === 'graph-model') throw new LabError('unsupported', `${jsonPath} is a TF.js graph model; only layers models (format "layers-model") can be imported`, FIELD);
  if (json.format !== undefined && json.format !== 'layers-model') throw new LabError('unsupported', `${jsonPath} has format ${JSON.stringify(json.format)}; only "layers-model" can be imported`, FIELD);
  if (!isRecord(json.modelTopology)) throw corrupt(`${jsonPath} has no modelTopology object`);
  if (!Array.isArray(json.weightsManifest)) throw corrupt(`${jsonPath} has no weightsManifest list`);

  // First pass: everything that needs no disk access, so a bad path is refused before any stat of it.
  const seen = new Set<string>();
  const groups: WeightGroup[] = json.weightsManifest.map((group: unknown, i) => {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw corrupt(`${jsonPath}: weightsManifest[${i}] needs "paths" and "weights" lists`);
    const files = group.paths.map((p: unknown) => weightFilePath(dir, p, jsonPath));
    if (new Set(files).size !== files.length) throw corrupt(`${jsonPath}: weightsManifest[${i}] names a file twice`);
    const bytes = group.weights.reduce((sum: number, spec: unknown) => sum + weightBytes(spec, jsonPath, seen), 0);
    if (files.length === 0 && bytes > 0) throw corrupt(`${jsonPath}: weightsManifest[${i}] lists weights but no files`);
    return { files, specs: group.weights as tf.io.WeightsManifestEntry[], bytes };
  });
  const total = groups.reduce((s, g) => s + g.bytes, 0);
  if (total > MAX_WEIGHT_BYTES) throw new LabError('unsupported', `${jsonPath} declares ${total} bytes of weights; at most ${MAX_WEIGHT_BYTES} can be imported`, FIELD);

  for (const [i, group] of groups.entries()) {
    let actual = 0;
    for (const file of group.files) {
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile()) throw new Error('not a regular file');
        actual += stat.size;
      } catch (err) {
        throw new LabError('io_error', `${jsonPath}: weights file ${path.relative(dir, file)} cannot be read (${err instanceof Error ? err.message : String(err)})`, FIELD);
      }
    }
    if (actual !== group.bytes) {
      throw corrupt(`${jsonPath}: weightsManifest[${i}] needs ${group.bytes} bytes for its ${group.specs.length} float32 weights, but its files (${group.files.map((f) => path.relative(dir, f)).join(', ')}) hold ${actual}`);
    }
  }
  return { path: jsonPath, topology: json.modelTopology, groups };
}

/** Reads the weight files of a validated manifest; each file is checked again, as it may have changed since validation. */
export async function readWeightGroup(group: WeightGroup): Promise<ArrayBuffer> {
  const out = new Uint8Array(group.bytes);
  let offset = 0;
  for (const file of group.files) {
    const bytes = await fs.readFile(file);
    if (offset + bytes.length > out.length) throw corrupt(`weights file ${file} grew while it was being imported`);
    out.set(bytes, offset);
    offset += bytes.length;
  }
  if (offset !== out.length) throw corrupt(`weights file(s) ${group.files.join(', ')} shrank while they were being imported`);
  return out.buffer;
}
