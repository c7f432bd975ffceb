// Reads a TF.js layers model.json and validates its weights manifest (paths, dtypes, byte sizes) without reading any weight bytes.
// Every read is bounded (model.json's size, each weights file's size against the manifest) and every weights file must
// really lie inside the model's folder: symlinked files and folders are resolved and compared, not just the path text.
// Messages name the file and what is wrong with it; they never quote what an arbitrary file holds.
import type * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

/** A layers model.json holds a topology and a manifest (a few KB to a few hundred KB); larger ones are refused unread. */
export const MAX_MODEL_JSON_BYTES = 4 * 1024 * 1024;
/** Bound for the weights: the topology check allows at most 20 M float32 parameters (80 MB). */
export const MAX_WEIGHT_BYTES = 128 * 1024 * 1024;
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
  /** float32 values the manifest lists, over all groups. */
  values: number;
}

const corrupt = (message: string): LabError => new LabError('corrupt_data', message, FIELD);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A string read from model.json, shortened: messages may name a weight or path but never carry the file. */
const quote = (v: unknown): string => {
  const s = typeof v === 'string' ? v : String(v);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
};
const errnoOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

/** True when `file` is below `dir` (both absolute, already resolved). */
function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** A manifest path as a file inside `dir`; rejects URLs, absolute paths and any `..` step, before touching the disk. */
export function weightFilePath(dir: string, rel: unknown, jsonPath: string): string {
  if (typeof rel !== 'string' || rel.trim() === '') throw corrupt(`${jsonPath}: a weights path is empty or not a string`);
  if (rel.includes('\0')) throw new LabError('invalid_argument', `${jsonPath}: weights path ${quote(rel)} contains a NUL byte`, FIELD);
  // a scheme (http:, file:, data:, C:) means a URL or a drive path, never a file beside model.json
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(rel) || rel.startsWith('//')) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${quote(rel)} is a URL; weights must be files in the model's folder`, FIELD);
  }
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${quote(rel)} is absolute; weights must be given relative to the model's folder`, FIELD);
  }
  if (rel.split(/[\\/]/).includes('..')) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${quote(rel)} uses "..", leaving the model's folder`, FIELD);
  }
  const file = path.resolve(dir, rel);
  const inside = path.relative(dir, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new LabError('invalid_argument', `${jsonPath}: weights path ${quote(rel)} does not name a file inside the model's folder`, FIELD);
  }
  return file;
}

function weightBytes(spec: unknown, jsonPath: string, seen: Set<string>): number {
  if (!isRecord(spec) || typeof spec.name !== 'string' || spec.name === '') throw corrupt(`${jsonPath}: a weights entry has no name`);
  const name = spec.name;
  if (seen.has(name)) throw corrupt(`${jsonPath}: weight ${quote(name)} is listed twice in the manifest`);
  seen.add(name);
  const shape = spec.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt(`${jsonPath}: weight ${quote(name)} has an invalid shape; a shape must list non-negative integers`);
  }
  if (spec.dtype !== 'float32') {
    throw new LabError('unsupported', `${jsonPath}: weight ${quote(name)} has dtype ${quote(spec.dtype)}; only float32 weights can be imported`, FIELD);
  }
  if (spec.quantization !== undefined && spec.quantization !== null) {
    throw new LabError('unsupported', `${jsonPath}: weight ${quote(name)} is quantized; only unquantized float32 weights can be imported (re-export without quantization)`, FIELD);
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
  const text = (await readBounded(jsonPath, MAX_MODEL_JSON_BYTES, (size) => new LabError('unsupported', `${jsonPath} is ${size} bytes; a layers model.json is at most ${MAX_MODEL_JSON_BYTES}`, FIELD))).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: it must not reach the user (`--base-model /etc/passwd`)
    throw corrupt(`${jsonPath} is not a TF.js layers model.json (not valid JSON)`);
  }
  if (!isRecord(json)) throw corrupt(`${jsonPath} is not a TF.js layers model.json (not a JSON object)`);
  if (json.format === 'graph-model') throw new LabError('unsupported', `${jsonPath} is a TF.js graph model; only layers models (format "layers-model") can be imported`, FIELD);
  if (json.format !== undefined && json.format !== 'layers-model') throw new LabError('unsupported', `${jsonPath} has format ${quote(json.format)}; only "layers-model" can be imported`, FIELD);
  if (!isRecord(json.modelTopology)) throw corrupt(`${jsonPath} is not a TF.js layers model.json (no modelTopology object)`);
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

  const realDir = await realFolder(dir, jsonPath);
  for (const [i, group] of groups.entries()) {
    let actual = 0;
    for (const [k, file] of group.files.entries()) {
      const real = await realWeightFile(realDir, file, path.relative(dir, file), jsonPath);
      group.files[k] = real.path;
      actual += real.size;
    }
    if (actual !== group.bytes) {
      throw corrupt(`${jsonPath}: weightsManifest[${i}] needs ${group.bytes} bytes for its ${group.specs.length} float32 weights, but its files (${group.files.map((f) => path.relative(dir, f)).join(', ')}) hold ${actual}`);
    }
  }
  return { path: jsonPath, topology: json.modelTopology, groups, values: total / FLOAT32_BYTES };
}

async function realFolder(dir: string, jsonPath: string): Promise<string> {
  try {
    return await fs.realpath(dir);
  } catch (err) {
    throw new LabError('io_error', `${jsonPath}: the model's folder cannot be read (${errnoOf(err)})`, FIELD);
  }
}

/**
 * Resolves a weights file through every symlink and refuses it unless the real file is a regular file inside the
 * model folder's real path: a link (to a file, or a linked sub-folder) leading out of the folder is refused.
 */
async function realWeightFile(realDir: string, file: string, rel: string, jsonPath: string): Promise<{ path: string; size: number }> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (err) {
    throw new LabError('io_error', `${jsonPath}: weights file ${rel} cannot be read (${errnoOf(err)})`, FIELD);
  }
  if (!isInside(realDir, real)) {
    throw new LabError('invalid_argument', `${jsonPath}: weights file ${rel} is a symbolic link (or lies in a linked folder) that leads outside the model's folder; copy the weights into the folder instead`, FIELD);
  }
  try {
    const stat = await fs.stat(real);
    if (!stat.isFile()) throw new LabError('invalid_argument', `${jsonPath}: weights file ${rel} is not a regular file`, FIELD);
    return { path: real, size: stat.size };
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('io_error', `${jsonPath}: weights file ${rel} cannot be read (${errnoOf(err)})`, FIELD);
  }
}

/** Reads a whole regular file of at most `max` bytes through one handle, so its size cannot change between check and read. */
async function readBounded(file: string, max: number, tooLarge: (size: number) => LabError): Promise<Buffer> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) throw new LabError('invalid_argument', `${file} is not a regular file`, FIELD);
    if (stat.size > max) throw tooLarge(stat.size);
    // one byte more than allowed tells a file that grew after the stat
    const bytes = Buffer.alloc(stat.size + 1);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    if (bytesRead > max) throw tooLarge(bytesRead);
    return bytes.subarray(0, bytesRead);
  } catch (err) {
    if (err instanceof LabError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LabError('not_found', `${file} does not exist`, FIELD);
    throw new LabError('io_error', `cannot read the model ${file}: ${errnoOf(err)}`, FIELD);
  } finally {
    await handle?.close();
  }
}

/** Reads the weight files of a validated manifest; each file is checked again, as it may have changed since validation. */
export async function readWeightGroup(group: WeightGroup): Promise<ArrayBuffer> {
  const out = new Uint8Array(group.bytes);
  let offset = 0;
  for (const file of group.files) {
    // never more than the manifest's total: a file that grew is refused after reading at most one byte past it
    const bytes = await readBounded(file, out.length - offset, () => corrupt(`weights file ${file} grew while it was being imported`));
    out.set(bytes, offset);
    offset += bytes.length;
  }
  if (offset !== out.length) throw corrupt(`weights file(s) ${group.files.join(', ')} shrank while they were being imported`);
  return out.buffer;
}
