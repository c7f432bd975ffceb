// The worker's side of a model inspection: validate a user's model file (manifest, topology, weights), decide its output
// kind, optionally save it in the lab's own format and measure its clean accuracy. Runs in an engine worker process so
// that a hostile file can exhaust only that process, never the host.
import { importTfjsModelWithSummary } from '../models/import-tfjs';
import { outputKind } from '../nsl/model-head';
import { saveModelFiles } from '../run/model-files';
import { runEvaluations } from './evaluations';
import { type EvaluationResult, type InspectModelRequest, type ModelInspection } from './protocol';
import { CLEAN_TASK } from './tasks';
import { loadTestSource } from './test-data';

export async function inspectModel(req: InspectModelRequest): Promise<ModelInspection> {
  const hparams = { inputShape: req.inputShape, numClasses: req.numClasses };
  const { model, summary } = await importTfjsModelWithSummary(req.modelPath, hparams);
  try {
    const saved = req.saveTo === null ? null : (await saveModelFiles(model, req.saveTo)).modelPath;
    let clean: EvaluationResult | undefined;
    if (req.cleanOn !== undefined) {
      const { cacheDir, ...source } = req.cleanOn;
      await runEvaluations(
        {
          target: { runId: '', role: 'base', model },
          peer: null,
          test: await loadTestSource(source, hparams, cacheDir),
          loadSource: () => Promise.reject(new Error('a clean evaluation has no transfer source')),
          onResult: (r) => (clean = r),
          onProgress: () => undefined,
          shouldStop: () => false,
        },
        [{ ...CLEAN_TASK }],
      );
    }
    return { ...summary, outputKind: outputKind(model), savedModelPath: saved, ...(clean ? { clean } : {}) };
  } finally {
    model.dispose();
  }
}
