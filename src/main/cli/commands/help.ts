// `rlab help [command]`: the command list, or one command's usage and flags.
import { type FlagSpec } from '../args';
import { type Command } from '../command';
import { envVarsHelp } from '../env-vars';

export function commandHelp(cmd: Command): string {
  const lines = [`usage: ${cmd.usage}`, '', cmd.summary];
  if (cmd.flags.length) {
    const label = (f: FlagSpec) => `--${f.name}${f.type === 'string' && f.value ? ` ${f.value}` : ''}`;
    const w = Math.max(...cmd.flags.map((f) => label(f).length));
    lines.push('', 'flags:', ...cmd.flags.map((f) => `  ${label(f).padEnd(w)}  ${f.help}`));
  }
  if (cmd.details) lines.push('', cmd.details);
  return lines.join('\n');
}

export function overview(commands: readonly Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'rlab: train MNIST classifiers with adversarial regularization, attack them, keep every experiment.',
    '',
    'usage: rlab <command> [args] [--flags]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'global flags:',
    '  --version  print the lab, engine, protocol and store versions (as `rlab version`)',
    "  --verbose  show TensorFlow's start-up and info lines from the engine worker (RLAB_VERBOSE=1 does the same)",
    '  --home DIR the lab folder to use instead of RLAB_HOME (a file or a folder holding something else is refused)',
    '',
    'Data lives in $RLAB_HOME (default ~/.robustness-lab). Exit codes: 0 ok, 1 failed, 2 bad input, 130/143 cut short by Ctrl-C/SIGTERM.',
    'rlab help <command> shows a command\'s flags.',
    '',
    envVarsHelp(),
  ].join('\n');
}
