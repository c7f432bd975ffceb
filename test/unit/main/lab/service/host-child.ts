// A LabService host in its own process, for the crash test: it queues the experiments it is given and reports epochs over IPC until killed.
import { createLabService } from '../../../../../src/main/lab/service/service';

const [home, configsJson] = process.argv.slice(2) as [string, string];
const lab = await createLabService({ home });
lab.on('epoch-end', (e) => process.send?.({ type: 'epoch-end', runId: e.runId, epoch: e.epoch, metrics: e.metrics, workerPid: lab.workerPid() }));
const runIds: string[] = [];
for (const config of JSON.parse(configsJson) as unknown[]) {
  const { runs } = await lab.createExperiment({ config: config as never });
  runIds.push(...runs.map((r) => r.id));
}
process.send?.({ type: 'created', runIds });
