// `rlab eval <run> --checkpoint` against a fake lab: the flag is translated into evaluateCheckpoint (nothing else is
// sent or checked here), the job is followed to its end, and each number is printed marked with its checkpoint.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../src/main/cli/main';
import { LabError } from '../../../../src/shared/errors';
import { createFakeCliLab, evaluation } from './fake-cli-lab';
import { captureContext } from './test-context';

const stored = [
  evaluation({ id: 7, runId: 'run_c1', accuracy: 0.8, modelEpoch: 2 }),
  evaluation({ id: 8, runId: 'run_c1', attack: 'fgsm', epsilon: 0.2, steps: 1, accuracy: 0.3, modelEpoch: 2 }),
];

function labWithJob() {
  const lab = createFakeCliLab();
  lab.answer('evaluateCheckpoint', () => {
    // the job ends after the reply, as the host's does
    setTimeout(() => lab.emit('job-finished', { jobId: 'job_k1', runId: 'run_c1', kind: 'evaluate', outcome: 'completed', evaluationIds: [7, 8] }), 5);
    return { jobId: 'job_k1', epoch: 2 };
  });
  lab.answer('listEvaluations', () => stored);
  return lab;
}

describe('rlab eval --checkpoint', () => {
  it('asks the lab to evaluate the run at its checkpoint and prints what it measured, marked with the epoch', async () => {
    const lab = labWithJob();
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['eval', 'run_c1', '--checkpoint'], ctx)).toBe(0);
    expect(lab.calls.map((c) => c.method)).toEqual(['evaluateCheckpoint', 'listEvaluations']);
    expect(lab.calls[0]!.request).toEqual({ runId: 'run_c1' });
    expect(ctx.stderr()).toContain("evaluating run_c1 at its epoch 2 checkpoint with its attack suite (job job_k1); the run's status stays as it is");
    expect(ctx.stdout()).toMatch(/8\s+FGSM ∞ ε0\.2 \(epoch 2 checkpoint\)\s+/);
    expect(ctx.stdout()).toMatch(/7\s+clean \(epoch 2 checkpoint\)\s+/);
    expect(lab.closed()).toBe(1);

    const json = captureContext(() => labWithJob().cli);
    expect(await runCli(['eval', 'run_c1', '--checkpoint', '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ runId: 'run_c1', checkpoint: 2, ok: true, evaluations: [{ id: 7, modelEpoch: 2 }, { id: 8, modelEpoch: 2 }] });
  });

  it('takes no attack flags (exit 2, nothing sent)', async () => {
    const lab = labWithJob();
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['eval', 'run_c1', '--checkpoint', '--attack', 'pgd', '--eps', '0.1'], ctx)).toBe(2);
    expect(ctx.stderr()).toBe("rlab eval: --checkpoint runs the run's own attack suite; leave out --attack, --eps\n");
    expect(lab.calls).toEqual([]);
  });

  it("says the lab's refusal as it is (exit 1)", async () => {
    const lab = createFakeCliLab();
    lab.answer('evaluateCheckpoint', () => {
      throw new LabError('failed_precondition', 'run run_c1 has a trained model; evaluate it with `evaluate` (rlab eval run_c1 --attack …) instead of a checkpoint', 'runId');
    });
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['eval', 'run_c1', '--checkpoint'], ctx)).toBe(1);
    expect(ctx.stderr()).toContain('has a trained model; evaluate it with `evaluate`');
  });
});
