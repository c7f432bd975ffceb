// Maps the engine module's record onto the contract's EngineRecord (what runs store and the UI shows).
import { type EngineRecord } from '../../../shared/contract';
import { type EngineRecord as ProbedEngine } from '../engine/record';

export function toContractEngine(r: ProbedEngine): EngineRecord {
  return {
    backend: r.backend,
    tfjsVersion: r.tfjsVersion,
    tfVersion: r.tfVersion,
    libtensorflowSource: r.libtensorflowSource ?? 'none (native setup record missing)',
    threads: r.threads,
    cpu: { model: r.cpu.model, cores: r.cpu.cores, features: [...r.cpu.features] },
    gpus: r.gpus.map((g) => ({ name: g.name, memoryMiB: g.memoryMiB })),
    notUsed: r.notUsed.map((n) => ({ option: n.option, why: n.why })),
    warnings: [...r.warnings],
  };
}
