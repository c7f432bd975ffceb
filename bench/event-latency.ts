// Bench: how long a progress event takes from the engine worker's post to a WebSocket client of `rlab serve`
// (worker → host IPC → LabService bus → WebSocket → client), on a real tiny training run. Prints figures only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { type LabEventMessage, type ProgressEvent } from '../src/shared/contract';
import { createLabService } from '../src/main/lab/service/service';
import { startServer } from '../src/main/server/server';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-bench-latency-'));
  const service = await createLabService({ home });
  const server = await startServer({ service, port: 0, log: () => {} });
  const clients = [new WebSocket(server.wsUrl), new WebSocket(server.wsUrl)];
  await Promise.all(clients.map((ws) => new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); })));
  const latencies: number[][] = clients.map(() => []);
  clients.forEach((ws, i) => ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as Partial<LabEventMessage<'progress'>>;
    const p = msg.event === 'progress' ? (msg.payload as ProgressEvent) : undefined;
    if (p?.emittedAt !== undefined) latencies[i]!.push(Date.now() - p.emittedAt);
  }));
  try {
    const { runs } = await service.createExperiment({
      config: { name: 'latency', runs: ['adv'], data: { trainSize: 2048, testSize: 256 }, hparams: { epochs: 1, convFilters: [8, 16], numFcUnits: [32] }, advReg: { advStepSize: 0.2, advGradNorm: 'infinity' } },
    });
    const runId = runs[0]!.id;
    await new Promise<void>((resolve) => {
      const off = service.onRunStatus((e) => { if (e.runId === runId && !['queued', 'running'].includes(e.status)) { off(); resolve(); } });
    });
    await new Promise((r) => setTimeout(r, 200));
    latencies.forEach((l, i) => {
      const s = [...l].sort((a, b) => a - b);
      console.log(`client ${i + 1}: ${s.length} progress events, latency worker→client median ${quantile(s, 0.5)} ms, p95 ${quantile(s, 0.95)} ms, max ${s[s.length - 1]} ms (target < 100 ms)`);
    });
  } finally {
    clients.forEach((ws) => ws.close());
    await server.close();
    await service.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
