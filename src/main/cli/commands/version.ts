// `rlab version` / `rlab --version`: the lab's version, the TensorFlow the setup built the engine against, the LabApi
// protocol and the store schema — read from files, without loading TensorFlow (`rlab doctor` does that).
import packageJson from '../../../../package.json';
import { LAB_PROTOCOL_VERSION } from '../../../shared/contract';
import { readSetupRecord } from '../../lab/engine/probe';
import { LATEST_SCHEMA_VERSION } from '../../lab/store/migrations';
import { Flags, parseArgs, positionals } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson } from '../command';

export interface VersionInfo {
  version: string;
  /** TensorFlow version the native engine was built against by the setup; null when it was not built. */
  tfVersion: string | null;
  /** Where its libtensorflow came from, or why there is no native engine. */
  engine: string;
  protocol: number;
  storeSchema: number;
  node: string;
}

export function versionInfo(): VersionInfo {
  const setup = readSetupRecord();
  const engine =
    setup === null
      ? 'native TensorFlow not set up (npm install has not run its setup); the lab falls back to wasm or cpu'
      : setup.ok
        ? `native TensorFlow ${setup.tfVersion ?? '(version unknown)'}, built by npm install from ${setup.source}`
        : `native TensorFlow not built (${setup.reason ?? 'see rlab doctor'}); the lab falls back to wasm or cpu`;
  return { version: packageJson.version, tfVersion: setup?.ok ? setup.tfVersion : null, engine, protocol: LAB_PROTOCOL_VERSION, storeSchema: LATEST_SCHEMA_VERSION, node: process.version };
}

export function versionText(v: VersionInfo = versionInfo()): string {
  return [
    `rlab ${v.version}`,
    `engine    ${v.engine}; rlab doctor checks what loads`,
    `protocol  LabApi v${v.protocol}`,
    `store     schema v${v.storeSchema}`,
    `node      ${v.node}`,
  ].join('\n');
}

const FLAGS = [JSON_FLAG];

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the lab, engine, protocol and store versions (also rlab --version)',
  usage: 'rlab version [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'version');
    positionals(parsed, [], 'version');
    if (new Flags(parsed).bool('json')) printJson(ctx, versionInfo());
    else ctx.io.out(`${versionText()}\n`);
    return EXIT_OK;
  },
};
