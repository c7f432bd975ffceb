// Listing and copying the files of a saved TF.js layers model (model.json + the weight files it names), without loading TF.js.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

interface ModelJsonManifest {
  weightsManifest?: { paths: string[] }[];
}

/** The files a saved model consists of (model.json and every weights file it names). */
export async function modelFileList(modelJsonPath: string): Promise<string[]> {
  const dir = path.dirname(modelJsonPath);
  const json = JSON.parse(await fs.readFile(modelJsonPath, 'utf8')) as ModelJsonManifest;
  const weightFiles = (json.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => path.resolve(dir, p)));
  return [modelJsonPath, ...weightFiles];
}

/** Copies a saved model (model.json + weights) into `destDir`; returns the copied paths, model.json first. */
export async function copyModelFiles(modelJson: string, destDir: string): Promise<string[]> {
  let files: string[];
  try {
    files = await modelFileList(modelJson);
  } catch (err) {
    throw new LabError('io_error', `cannot read the model ${modelJson}: ${err instanceof Error ? err.message : String(err)}`, 'modelPath');
  }
  await fs.mkdir(destDir, { recursive: true });
  const srcDir = path.dirname(modelJson);
  const copied: string[] = [];
  // weights first, model.json last: a copy interrupted half way has no model.json and is not mistaken for a model
  for (const file of [...files.slice(1), files[0]!]) {
    const target = path.join(destDir, path.relative(srcDir, file));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(file, target);
    copied.push(target);
  }
  return [copied[copied.length - 1]!, ...copied.slice(0, -1)];
}
