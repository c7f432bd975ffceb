// --verbose is global: taken out of argv wherever it stands before `--`, and passed on as RLAB_VERBOSE=1.
import { describe, expect, it } from 'vitest';
import { takeVerboseFlag } from '../../../../src/main/cli/verbose-flag';

describe('takeVerboseFlag', () => {
  it('removes --verbose before or after the command and sets RLAB_VERBOSE=1', () => {
    for (const argv of [['--verbose', 'run', '--epochs', '1'], ['run', '--verbose', '--epochs', '1'], ['run', '--epochs', '1', '--verbose']]) {
      const env: NodeJS.ProcessEnv = {};
      expect(takeVerboseFlag(argv, env)).toEqual(['run', '--epochs', '1']);
      expect(env.RLAB_VERBOSE).toBe('1');
    }
  });

  it('leaves argv and the environment alone without it, and a --verbose after `--` is a positional', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(takeVerboseFlag(['show', 'run_a1'], env)).toEqual(['show', 'run_a1']);
    expect(takeVerboseFlag(['show', '--', '--verbose'], env)).toEqual(['show', '--', '--verbose']);
    expect(env).toEqual({});
  });
});
