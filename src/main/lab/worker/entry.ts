// Engine worker process entry: loads the engine, says 'ready', then runs one job at a time until told to shut down.
// Started by the LabService (child_process under Node, utilityProcess in Electron); never touches the database.
import { type EngineRecord } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { getEngineRecord } from '../engine/record';
import { inspectModel } from './inspect-model';
import { runEvaluateJob, runTrainJob, type JobOutcome } from './jobs';
import { connectToHost } from './port';
import { type HostToWorker, type InspectModelRequest, type WorkerJob } from './protocol';

const port = connectToHost();
let current: { job: WorkerJob; cancel: boolean } | null = null;
let shuttingDown = false;

function fail(job: WorkerJob | null, err: unknown, fatal = false): void {
  const e = LabError.wrap(err, 'engine_error');
  port.post({ type: 'error', jobId: job?.jobId ?? null, runId: job?.runId ?? null, error: e.toJSON(), ...(fatal ? { fatal } : {}) });
}

async function run(job: WorkerJob): Promise<void> {
  const state = { job, cancel: false };
  current = state;
  const ctx = { post: port.post, cancelRequested: () => state.cancel };
  try {
    const outcome: JobOutcome = job.kind === 'train' ? await runTrainJob(job, ctx) : await runEvaluateJob(job, ctx);
    port.post({ type: 'done', jobId: job.jobId, runId: job.runId, outcome });
  } catch (err) {
    if (err instanceof LabError && err.code === 'cancelled' && state.cancel) port.post({ type: 'done', jobId: job.jobId, runId: job.runId, outcome: 'cancelled' });
    else fail(job, err);
  } finally {
    current = null;
    if (shuttingDown) process.exit(0);
  }
}

/** Inspections are independent of the job slot: a model inspector sends them to a worker of its own. */
async function inspect(request: InspectModelRequest): Promise<void> {
  try {
    port.post({ type: 'model-inspected', requestId: request.requestId, result: { ok: true, inspection: await inspectModel(request) } });
  } catch (err) {
    port.post({ type: 'model-inspected', requestId: request.requestId, result: { ok: false, error: LabError.wrap(err, 'corrupt_data').toJSON() } });
  }
}

function onMessage(m: HostToWorker): void {
  switch (m.type) {
    case 'inspect-model':
      void inspect(m.request);
      return;
    case 'train':
    case 'evaluate':
      if (current) {
        fail(m.job, new LabError('failed_precondition', `the engine worker is busy with job ${current.job.jobId}`));
        return;
      }
      void run(m.job);
      return;
    case 'cancel':
      if (current) current.cancel = true;
      return;
    case 'shutdown':
      shuttingDown = true;
      if (current) current.cancel = true;
      else process.exit(0);
      return;
  }
}

process.on('uncaughtException', (err) => {
  fail(current?.job ?? null, err, true);
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  fail(current?.job ?? null, err, true);
  process.exit(1);
});
// without its host there is nobody to report to, and an orphan would keep the GPU busy
port.onHostGone(() => process.exit(0));
port.onMessage(onMessage);

try {
  // the engine module's record is the contract's EngineRecord (plus platform and node), sent as is
  const engine: EngineRecord = await getEngineRecord();
  port.post({ type: 'ready', engine, pid: process.pid });
} catch (err) {
  fail(null, err, true);
  process.exit(1);
}
