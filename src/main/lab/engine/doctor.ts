// Human-readable `rlab doctor` report of an EngineRecord (`rlab doctor --json` prints the record itself).
// Takes the contract's type, so a record that came over IPC/WebSocket or from the store prints the same way.
import { type EngineRecord } from '../../../shared/contract';
import { OPTION_LABEL } from './options';

function row(label: string, value: string): string {
  return `  ${label.padEnd(14)}${value}`;
}

function backendLine(r: EngineRecord): string {
  const name = OPTION_LABEL[r.backend];
  const version = r.tfVersion ? ` ${r.tfVersion}` : '';
  return `${name}${version} via TensorFlow.js ${r.tfjsVersion}`;
}

function gpuLines(r: EngineRecord): string[] {
  if (r.gpus.length === 0) return [row('GPUs', 'none')];
  return r.gpus.map((g, i) => row(i === 0 ? 'GPUs' : '', `${g.name}, ${(g.memoryMiB / 1024).toFixed(1)} GiB`));
}

/** Multi-line report: what runs the lab's tensors, on what hardware, and what could run faster and why it does not. */
export function formatDoctor(r: EngineRecord): string {
  const lines = [
    'Robustness Lab engine',
    row('backend', backendLine(r)),
    row('libtensorflow', r.libtensorflowSource ?? 'not set up'),
    row('threads', String(r.threads)),
    row('CPU', `${r.cpu.model}, ${r.cpu.cores} logical cores${r.cpu.features.length ? ` (${r.cpu.features.join(' ')})` : ''}`),
    ...gpuLines(r),
  ];
  if (r.platform !== undefined) lines.push(row('platform', `${r.platform}${r.node === undefined ? '' : `, Node ${r.node}`}`));
  if (r.notUsed.length > 0) {
    lines.push('', 'Not used');
    for (const n of r.notUsed) lines.push(`  - ${n.option}: ${n.why}`);
  }
  if (r.warnings.length > 0) {
    lines.push('', 'Warnings');
    for (const w of r.warnings) lines.push(`  ! ${w}`);
  }
  return lines.join('\n');
}
