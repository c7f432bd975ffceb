// Backend choice per process: RLAB_BACKEND forces tensorflow/wasm/cpu, unset picks the best, bad values are rejected.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type EngineRecord } from '../../../../../src/main/lab/engine/record';
import { readSetupRecord } from '../../../../../src/main/lab/engine/probe';
import { CPU_SLOWDOWN, WASM_SLOWDOWN } from '../../../../../src/main/lab/engine/tf';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..', '..', '..');

interface ChildOutput {
  record?: EngineRecord;
  activeBackend?: string;
  filterGrad?: number[];
  error?: { code: string; message: string; field?: string };
}

function runChild(rlabBackend: string | undefined): { out: ChildOutput; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
  delete env.RLAB_BACKEND;
  if (rlabBackend !== undefined) env.RLAB_BACKEND = rlabBackend;
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'engine-child.ts')], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`child exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { out: JSON.parse(line) as ChildOutput, stderr: r.stderr };
}

const NINES = [9, 9, 9, 9];

describe('backend choice (one child process per setting)', () => {
  it('picks native TensorFlow when its binding was set up, and says why wasm and cpu were not used', () => {
    const setup = readSetupRecord();
    const { out } = runChild(undefined);
    const record = out.record!;
    expect(record.backend).toBe(setup?.ok ? 'tensorflow' : 'wasm');
    expect(out.activeBackend).toBe(record.backend);
    expect(out.filterGrad).toEqual(NINES);
    if (setup?.ok) {
      expect(record.tfVersion).toBe(setup.tfVersion);
      expect(record.notUsed).toEqual(expect.arrayContaining([{ option: 'wasm', why: 'native TensorFlow preferred' }]));
    }
  });

  it('RLAB_BACKEND=wasm runs on wasm, with the project conv filter gradient and the forced choice recorded', () => {
    const { out } = runChild('wasm');
    const record = out.record!;
    expect(record.backend).toBe('wasm');
    expect(out.activeBackend).toBe('wasm');
    expect(out.filterGrad).toEqual(NINES);
    expect(record.tfVersion).toBeNull();
    expect(record.threads).toBeGreaterThanOrEqual(1);
    expect(record.notUsed).toContainEqual({ option: 'native TensorFlow', why: 'RLAB_BACKEND=wasm was requested' });
    expect(record.warnings.join('\n')).toContain(`trains ${WASM_SLOWDOWN} slower than native TensorFlow`);
  });

  it('RLAB_BACKEND=cpu runs on pure JS and warns, in the record and on stderr, how much slower it is', () => {
    const { out, stderr } = runChild('cpu');
    const record = out.record!;
    expect(record.backend).toBe('cpu');
    expect(out.activeBackend).toBe('cpu');
    expect(out.filterGrad).toEqual(NINES);
    const warning = record.warnings.find((w) => w.includes(`${CPU_SLOWDOWN} slower than native TensorFlow`));
    expect(warning).toBeDefined();
    expect(stderr).toContain(warning);
    expect(record.notUsed.map((n) => n.option)).toEqual(expect.arrayContaining(['native TensorFlow', 'wasm']));
  });

  it('RLAB_BACKEND=native is an alias of tensorflow', () => {
    const setup = readSetupRecord();
    const { out } = runChild('native');
    if (setup?.ok) expect(out.record?.backend).toBe('tensorflow');
    else expect(out.error).toMatchObject({ code: 'engine_error', field: 'RLAB_BACKEND' });
  });

  it('rejects an unknown RLAB_BACKEND naming the variable and the allowed values', () => {
    const { out } = runChild('gpu-please');
    expect(out.record).toBeUndefined();
    expect(out.error).toEqual({ code: 'invalid_argument', field: 'RLAB_BACKEND', message: "RLAB_BACKEND must be one of tensorflow, native, wasm, cpu (got 'gpu-please')" });
  });
});
