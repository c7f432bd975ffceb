// `rlab --version` and `rlab version`: the lab's version from package.json, the engine the setup built, the protocol
// and store versions — from the real binary, without opening a lab.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import packageJson from '../../../../../package.json';
import { LAB_PROTOCOL_VERSION } from '../../../../../src/shared/contract';
import { readSetupRecord } from '../../../../../src/main/lab/engine/probe';
import { LATEST_SCHEMA_VERSION } from '../../../../../src/main/lab/store/migrations';
import { type VersionInfo } from '../../../../../src/main/cli/commands/version';
import { runRlab } from '../rlab-process';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-version-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('rlab --version', () => {
  it('prints the lab, engine, protocol and store versions, exits 0 and creates no lab', async () => {
    const home = path.join(tmp, 'never-made');
    const r = await runRlab(home, ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`rlab ${packageJson.version}`);
    expect(lines).toContain(`protocol  LabApi v${LAB_PROTOCOL_VERSION}`);
    expect(lines).toContain(`store     schema v${LATEST_SCHEMA_VERSION}`);
    const setup = readSetupRecord();
    if (setup?.ok) expect(lines[1]).toMatch(new RegExp(`^engine {4}native TensorFlow ${setup.tfVersion!.replace(/\./g, '\\.')}, built by npm install from `));
    else expect(lines[1]).toMatch(/^engine {4}native TensorFlow not (set up|built)/);
    expect(existsSync(home)).toBe(false);
  });

  it('rlab version --json gives the same as one record', async () => {
    const r = await runRlab(path.join(tmp, 'never-made'), ['version', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout) as VersionInfo;
    const setup = readSetupRecord();
    expect(v).toMatchObject({ version: packageJson.version, protocol: LAB_PROTOCOL_VERSION, storeSchema: LATEST_SCHEMA_VERSION, tfVersion: setup?.ok ? setup.tfVersion : null, node: process.version });
  });
});
