// The packaging config sets the Electron fuses that close the ways to run foreign code in the app's process.
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CONFIG = path.resolve(__dirname, '../../../../electron-builder.config.cjs');

interface BuilderConfig {
  asar?: unknown;
  asarUnpack?: string[];
  electronFuses?: Record<string, unknown>;
}

function readConfig(): BuilderConfig {
  return createRequire(import.meta.url)(CONFIG) as BuilderConfig;
}

describe('electron-builder fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect, and turns on cookie encryption', () => {
    const fuses = readConfig().electronFuses;
    expect(fuses).toBeDefined();
    expect(fuses!.runAsNode).toBe(false);
    expect(fuses!.enableNodeOptionsEnvironmentVariable).toBe(false);
    expect(fuses!.enableNodeCliInspectArguments).toBe(false);
    expect(fuses!.enableCookieEncryption).toBe(true);
  });

  it('loads the app only from an integrity-checked app.asar, which the config builds', () => {
    const config = readConfig();
    expect(config.electronFuses!.onlyLoadAppFromAsar).toBe(true);
    expect(config.electronFuses!.enableEmbeddedAsarIntegrityValidation).toBe(true);
    // with asar off, OnlyLoadAppFromAsar leaves nothing to load
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('names only fuses electron-builder knows, each as a boolean', () => {
    const known = [
      'runAsNode',
      'enableCookieEncryption',
      'enableNodeOptionsEnvironmentVariable',
      'enableNodeCliInspectArguments',
      'enableEmbeddedAsarIntegrityValidation',
      'onlyLoadAppFromAsar',
      'loadBrowserProcessSpecificV8Snapshot',
      'grantFileProtocolExtraPrivileges',
    ];
    for (const [name, value] of Object.entries(readConfig().electronFuses!)) {
      expect(known, `unknown fuse ${name}`).toContain(name);
      expect(typeof value).toBe('boolean');
    }
  });
});
