// exportModel / exportReport: check the run or experiment and the output path, write the files, keep their paths as artifacts.
import { type z } from 'zod';
import { type LAB_REQUEST_SCHEMAS } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeReport } from '../report/write-report';
import { exportTarget, reportDir } from './export-target';
import { modelPathOfRun } from './payloads';
import { type ServiceContext } from './service';

type Req<M extends keyof typeof LAB_REQUEST_SCHEMAS> = z.infer<(typeof LAB_REQUEST_SCHEMAS)[M]>;

export function exportMethods(ctx: ServiceContext) {
  const { store } = ctx;

  async function exportModel({ runId, format, outDir }: Req<'exportModel'>): Promise<{ files: string[] }> {
    const run = store.getRun(runId);
    const modelPath = modelPathOfRun(run);
    if (modelPath === null) throw new LabError('failed_precondition', `run ${runId} has no trained model to export (it is ${run.status})`, 'runId');
    const target = await exportTarget(format, outDir);
    // loaded here: the export needs TF.js in the host, which nothing else the service does requires
    const { exportRunModel } = await import('./export');
    const { files } = await exportRunModel(run, modelPath, target, ctx.cacheDir);
    store.addArtifact(runId, { kind: 'export', path: files[0]! });
    return { files };
  }

  async function exportReport({ experimentId, outDir }: Req<'exportReport'>): Promise<{ files: string[] }> {
    const detail = store.getExperiment(experimentId);
    const dir = await reportDir(outDir);
    const { files } = await writeReport(detail, dir);
    // an experiment's report belongs to each of its runs: `rlab show` and the UI list artifacts per run
    store.transaction(() => {
      for (const run of detail.runs) store.addArtifact(run.id, { kind: 'report', path: files[0]! });
    });
    return { files };
  }

  return { exportModel, exportReport };
}
