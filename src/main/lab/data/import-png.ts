// Imports a folder of PNG images, one subfolder per class, into the dataset cache as 28×28 grayscale bytes.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { LabError } from '../../../shared/errors';
import { IMAGE_HEIGHT, IMAGE_WIDTH, type DatasetManifest } from './dataset';
import { checkName, storeImported, type ImportOptions } from './import-common';

export interface ImportPngRequest {
  /** Folder whose subfolders are the classes; class names are the subfolder names, sorted. */
  folder: string;
  /** Display name; default the folder's name. */
  name?: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_CLASSES = 256;
/** Full MNIST is 70,000 images; a folder with more files than this is not one dataset a person meant to import. */
export const MAX_PNG_FILES = 500_000;
/** A 28×28 PNG is a few hundred bytes (under 4 KB at 16-bit RGBA); anything larger is refused unread. */
export const MAX_PNG_BYTES = 64 * 1024;
// Enough files in flight to hide disk latency without holding a large folder in memory at once.
const READ_AHEAD = 32;

/**
 * Reads <folder>/<class>/*.png. Every image must be 28×28; colour is converted to gray with the
 * ITU-R 601 luma weights (what PIL's "L" mode uses), and transparency is composited onto black,
 * MNIST's background. Hidden entries and files not ending in .png are ignored; nested folders are not read.
 */
export async function importPngFolder(req: ImportPngRequest, options: ImportOptions = {}): Promise<DatasetManifest> {
  const folder = path.resolve(req.folder);
  const name = checkName(req.name ?? path.basename(folder));
  const classDirs = await listClassDirs(folder);
  const files: Array<{ file: string; label: number }> = [];
  for (const [label, cls] of classDirs.entries()) {
    const dir = path.join(folder, cls);
    const pngs = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.toLowerCase().endsWith('.png'))
      .map((e) => e.name)
      .sort();
    if (pngs.length === 0) throw new LabError('invalid_argument', `class folder ${dir} has no .png files; every class needs at least one image`, 'folder');
    if (files.length + pngs.length > MAX_PNG_FILES) throw new LabError('invalid_argument', `${folder} holds more than ${MAX_PNG_FILES} .png files; at most ${MAX_PNG_FILES} can be imported at once`, 'folder');
    for (const f of pngs) files.push({ file: path.join(dir, f), label });
  }
  const pixels = IMAGE_HEIGHT * IMAGE_WIDTH;
  const images = new Uint8Array(files.length * pixels);
  const labels = new Uint8Array(files.length);
  for (let start = 0; start < files.length; start += READ_AHEAD) {
    const chunk = files.slice(start, start + READ_AHEAD);
    const decoded = await Promise.all(chunk.map(({ file }) => readGrayPng(file)));
    decoded.forEach((gray, k) => {
      images.set(gray, (start + k) * pixels);
      labels[start + k] = chunk[k]!.label;
    });
  }
  return storeImported({ name, source: `png:${folder}`, classNames: classDirs, images, labels, count: files.length }, options);
}

/** Decodes one PNG to 28×28 gray bytes; errors name the file. */
export async function readGrayPng(file: string, height = IMAGE_HEIGHT, width = IMAGE_WIDTH): Promise<Uint8Array> {
  const bytes = await readSmallFile(file);
  // The size sits in the IHDR chunk at a fixed offset; checking it first rejects a huge wrong image without decoding it.
  if (bytes.length < 29 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new LabError('corrupt_data', `${file} is not a PNG image`, 'file');
  }
  const w = bytes.readUInt32BE(16);
  const h = bytes.readUInt32BE(20);
  if (w !== width || h !== height) {
    throw new LabError('invalid_argument', `${file} is ${w}×${h} pixels; images must be ${width}×${height}`, 'file');
  }
  // pngjs inflates an interlaced image with no output limit (a non-interlaced one is capped at the image's size)
  if (bytes[28] !== 0) throw new LabError('unsupported', `${file} is an interlaced PNG; save it without interlacing`, 'file');
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(bytes);
  } catch {
    // pngjs's messages can quote chunk names read from the file; say only what is wrong
    throw new LabError('corrupt_data', `${file} is not a readable PNG (its data is damaged or uses a feature that cannot be decoded)`, 'file');
  }
  // pngjs hands back 8-bit RGBA whatever the stored colour type and depth.
  const rgba = png.data;
  const out = new Uint8Array(width * height);
  for (let p = 0; p < out.length; p++) {
    const r = rgba[4 * p]!;
    const g = rgba[4 * p + 1]!;
    const b = rgba[4 * p + 2]!;
    const a = rgba[4 * p + 3]!;
    const gray = png.color ? 0.299 * r + 0.587 * g + 0.114 * b : r;
    out[p] = Math.round((gray * a) / 255);
  }
  return out;
}

/** Reads a file of at most MAX_PNG_BYTES through one handle (its size cannot change between the check and the read). */
async function readSmallFile(file: string): Promise<Buffer> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) throw new LabError('invalid_argument', `${file} is not a regular file`, 'file');
    if (stat.size > MAX_PNG_BYTES) throw new LabError('invalid_argument', `${file} is ${stat.size} bytes; a ${IMAGE_WIDTH}×${IMAGE_HEIGHT} PNG is at most ${MAX_PNG_BYTES}`, 'file');
    const bytes = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(bytes, 0, stat.size, 0);
    return bytes.subarray(0, bytesRead);
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('io_error', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'file');
  } finally {
    await handle?.close();
  }
}

async function listClassDirs(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('not_found', `folder not found: ${folder}`, 'folder');
    if (code === 'ENOTDIR') throw new LabError('invalid_argument', `${folder} is a file; choose a folder with one subfolder per class`, 'folder');
    throw new LabError('io_error', `cannot read ${folder}: ${(err as Error).message}`, 'folder');
  }
  // Plain code-unit order, not locale order, so the label numbering is the same on every machine.
  const names = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (names.length === 0) throw new LabError('invalid_argument', `${folder} has no subfolders; put each class's PNG files in a subfolder named after the class`, 'folder');
  if (names.length > MAX_CLASSES) throw new LabError('invalid_argument', `${folder} has ${names.length} class subfolders; at most ${MAX_CLASSES} are supported`, 'folder');
  return names;
}
