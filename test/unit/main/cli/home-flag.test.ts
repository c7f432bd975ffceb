// The global --home flag: taken out of any command line before the command parses its own flags.
import { describe, expect, it } from 'vitest';
import { takeHomeFlag } from '../../../../src/main/cli/context';

describe('takeHomeFlag', () => {
  it('takes --home DIR or --home=DIR from anywhere before --', () => {
    expect(takeHomeFlag(['ls', '--json'])).toEqual({ rest: ['ls', '--json'] });
    expect(takeHomeFlag(['--home', '/labs/a', 'ls', '--json'])).toEqual({ home: '/labs/a', rest: ['ls', '--json'] });
    expect(takeHomeFlag(['show', 'run_a1', '--home=/labs/b'])).toEqual({ home: '/labs/b', rest: ['show', 'run_a1'] });
    expect(takeHomeFlag(['run', '--name', 'x', '--', '--home', 'y'])).toEqual({ rest: ['run', '--name', 'x', '--', '--home', 'y'] });
  });

  it('refuses --home without a folder, or given twice', () => {
    const needs = { error: '--home needs a folder: the lab home (default $RLAB_HOME, else ~/.robustness-lab)' };
    expect(takeHomeFlag(['ls', '--home'])).toEqual(needs);
    expect(takeHomeFlag(['ls', '--home', '--json'])).toEqual(needs);
    expect(takeHomeFlag(['ls', '--home='])).toEqual(needs);
    expect(takeHomeFlag(['--home', 'a', 'ls', '--home', 'b'])).toEqual({ error: '--home is given more than once' });
  });
});
