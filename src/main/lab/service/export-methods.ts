// exportModel / exportReport: check the run or experiment and the output path, write the files, keep their paths as artifacts.
import { type LabParsedRequest as Req } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeReport } from '../report/write-report';
import { exportTarget, reportDir } from './export-target';
import { modelPathOfRun } from './payloads';
import { publishFolder } from './publish-folder';
import { type ServiceContext } from './service';

/** Every failure of writing the target is about the request's outDir, whatever the writer called it. */
function aboutOutDir(err: unknown): LabError {
  const e = LabError.wrap(err, 'io_error');
  return e.field === 'outFile' ? new LabError(e.code, e.message, 'outDir') : e;
}

export function exportMethods(ctx: ServiceContext) {
  const { store } = ctx;

  async function exportModel({ runId, format, outDir, force, recordArtifact }: Req<'exportModel'>): Promise<{ files: string[] }> {
    const run = store.getRun(runId);
    const modelPath = modelPathOfRun(run);
    if (modelPath === null) throw new LabError('failed_precondition', `run ${runId} has no trained model to export (it is ${run.status})`, 'runId');
    // checked before TF.js loads, so a bad target is refused at once
    const target = await exportTarget(format, outDir, { home: ctx.home, force: force === true });
    // loaded here: the export needs TF.js in the host, which nothing else the service does requires
    const { exportRunModel } = await import('./export');
    let files: string[];
    try {
      files = (await exportRunModel(run, modelPath, target, ctx.cacheDir)).files;
    } catch (err) {
      throw aboutOutDir(err);
    }
    if (recordArtifact !== false) store.addArtifact(runId, { kind: 'export', path: files[0]! });
    return { files };
  }

  async function exportReport({ experimentId, outDir, force }: Req<'exportReport'>): Promise<{ files: string[] }> {
    const detail = store.getExperiment(experimentId);
    const dir = await reportDir(outDir, { home: ctx.home, force: force === true });
    const files = await publishFolder(dir, (tmp) => writeReport(detail, tmp));
    // an experiment's report belongs to each of its runs: `rlab show` and the UI list artifacts per run
    store.transaction(() => {
      for (const run of detail.runs) store.addArtifact(run.id, { kind: 'report', path: files[0]! });
    });
    return { files };
  }

  return { exportModel, exportReport };
}
