// `rlab doctor`: which engine the lab computes on, on what hardware, and why a faster option is not used.
import { Flags, parseArgs, positionals } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson } from '../command';

const FLAGS = [JSON_FLAG];

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'report the engine: backend, TensorFlow version, devices, and what is not used and why',
  usage: 'rlab doctor [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'doctor');
    positionals(parsed, [], 'doctor');
    // Loaded here: TensorFlow.js takes seconds to import, and every other command starts without it.
    const [{ getEngineRecord }, { formatDoctor }] = await Promise.all([import('../../lab/engine/record'), import('../../lab/engine/doctor')]);
    const record = await getEngineRecord();
    if (new Flags(parsed).bool('json')) printJson(ctx, record);
    else ctx.io.out(`${formatDoctor(record)}\n`);
    return EXIT_OK;
  },
};
