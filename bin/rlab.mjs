#!/usr/bin/env node
// `rlab` entry: runs the TypeScript CLI through tsx so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

register();
const here = path.dirname(fileURLToPath(import.meta.url));
const { main } = await import(path.join(here, '..', 'src', 'main', 'cli', 'main.ts'));
process.exitCode = await main(process.argv.slice(2));
