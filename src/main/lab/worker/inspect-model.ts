// The worker's side of a model inspection: validate a user's model file (manifest, topology, weights), decide its output
// kind, and optionally save it in the lab's own format. Runs in an engine worker process so that a hostile file can
// exhaust only that process, never the host.
import { importTfjsModelWithSummary } from '../models/import-tfjs';
import { outputKind } from '../nsl/model-head';
import { saveModelFiles } from '../run/model-files';
import { type InspectModelRequest, type ModelInspection } from './protocol';

export async function inspectModel(req: InspectModelRequest): Promise<ModelInspection> {
  const { model, summary } = await importTfjsModelWithSummary(req.modelPath, { inputShape: req.inputShape, numClasses: req.numClasses });
  try {
    const saved = req.saveTo === null ? null : (await saveModelFiles(model, req.saveTo)).modelPath;
    return { ...summary, outputKind: outputKind(model), savedModelPath: saved };
  } finally {
    model.dispose();
  }
}
