// exportModel's work: load a run's saved model in the host and write it as a TF.js folder or one ONNX file, with its metadata.
// Loaded on demand by the service, so a host that never exports never loads TF.js.
import { type RunDetail } from '../../../shared/contract';
import { listDatasets } from '../data/catalog';
import { exportMetaFromRun } from '../models/export-meta';
import { exportOnnx } from '../models/export-onnx';
import { exportTfjs } from '../models/export-tfjs';
import { loadModelFiles } from '../run/model-files';
import { type ExportTarget } from './export-target';
import { hostTf } from './host-tf';
import { publishFolder } from './publish-folder';

/** Class names of the run's dataset, from the cache's manifest; "0".."n-1" when the dataset is gone. */
async function classNamesOf(run: RunDetail, cacheDir: string): Promise<string[]> {
  const spec = run.config.data.dataset;
  const id = spec.kind === 'imported' ? spec.id : spec.kind;
  const listing = (await listDatasets({ cacheDir })).find((d) => d.id === id);
  const n = run.config.hparams.numClasses;
  return listing && listing.classNames.length === n ? listing.classNames : Array.from({ length: n }, (_, i) => String(i));
}

/**
 * Writes the export to its checked target (a folder for TF.js, a file for ONNX); returns the files written, the
 * model file first. A TF.js folder is built aside and published whole, an ONNX file is written atomically: a
 * failed export never leaves a half-written model where a good one was.
 */
export async function exportRunModel(run: RunDetail, modelPath: string, target: ExportTarget, cacheDir: string): Promise<{ files: string[] }> {
  // the host computes nothing heavy here; whichever backend is available (pure JS in a plain host) reads the weights
  await hostTf();
  const meta = exportMetaFromRun(run, await classNamesOf(run, cacheDir));
  const model = await loadModelFiles(modelPath);
  try {
    if (target.format === 'onnx') return await exportOnnx(model, target.file, meta);
    return { files: await publishFolder(target.dir, (dir) => exportTfjs(model, dir, meta)) };
  } finally {
    model.dispose();
  }
}
