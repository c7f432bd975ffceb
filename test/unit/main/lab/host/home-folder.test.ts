// --home must name a lab, an empty folder or a new path; anything else is refused before a byte is written.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHomeFolder } from '../../../../../src/main/lab/host/home-folder';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-home-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('checkHomeFolder', () => {
  it('accepts a new path, an empty folder and a lab', () => {
    expect(() => checkHomeFolder(path.join(tmp, 'new'), '--home')).not.toThrow();
    mkdirSync(path.join(tmp, 'empty'));
    expect(() => checkHomeFolder(path.join(tmp, 'empty'), '--home')).not.toThrow();
    mkdirSync(path.join(tmp, 'lab'));
    writeFileSync(path.join(tmp, 'lab', 'lab.sqlite'), '');
    writeFileSync(path.join(tmp, 'lab', 'notes.txt'), 'the user keeps notes in their lab');
    expect(() => checkHomeFolder(path.join(tmp, 'lab'), '--home')).not.toThrow();
  });

  it('refuses a file, a path through a file and a folder of other things, naming the flag', () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    expect(() => checkHomeFolder(file, '--home')).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'home', message: `--home ${file} is a file, not a folder; point --home at a lab folder (one with lab.sqlite), an empty folder or a new path` }));
    expect(() => checkHomeFolder(path.join(file, 'below'), '--home')).toThrow(/lies inside a file/);
    const docs = path.join(tmp, 'documents');
    mkdirSync(docs);
    writeFileSync(path.join(docs, 'thesis.tex'), '');
    writeFileSync(path.join(docs, 'budget.ods'), '');
    expect(() => checkHomeFolder(docs, '--home')).toThrow(`--home ${docs} is not a lab: it has no lab.sqlite and holds 2 other entries; point --home at a lab folder, an empty folder or a new path`);
    expect(readdirSync(docs).sort()).toEqual(['budget.ods', 'thesis.tex']);
  });
});
