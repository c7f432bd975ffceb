import { describe, expect, it } from 'vitest';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../../../../src/main/cli/args';

const SPECS: FlagSpec[] = [
  { name: 'epochs', type: 'string', help: '' },
  { name: 'clip-min', type: 'string', help: '' },
  { name: 'list', type: 'string', help: '' },
  { name: 'json', type: 'boolean', help: '' },
];

const parse = (argv: string[]) => parseArgs(argv, SPECS, 'test');

describe('parseArgs', () => {
  it('reads --name value, --name=value, switches and positionals', () => {
    const p = parse(['run_1', '--epochs', '3', '--clip-min=0.5', '--json', 'extra']);
    expect(p.positionals).toEqual(['run_1', 'extra']);
    expect(p.flags).toEqual(new Map<string, string | boolean>([['epochs', '3'], ['clip-min', '0.5'], ['json', true]]));
  });

  it('takes negative numbers as values, not flags', () => {
    expect(new Flags(parse(['--clip-min', '-1'])).number('clip-min')).toBe(-1);
  });

  it('rejects an unknown flag by name and lists the valid ones', () => {
    expect(() => parse(['--epoch', '3'])).toThrow(UsageError);
    expect(() => parse(['--epoch', '3'])).toThrow('unknown flag --epoch for "rlab test"; valid flags: --epochs, --clip-min, --list, --json');
    expect(() => parse(['--bogus=1'])).toThrow(/unknown flag --bogus/);
    expect(() => parse(['-e'])).toThrow(/unknown flag -e .*valid flags: --epochs/);
  });

  it('rejects a value flag without a value', () => {
    expect(() => parse(['--epochs'])).toThrow('--epochs needs a value');
    expect(() => parse(['--epochs', '--json'])).toThrow('--epochs needs a value');
  });

  it('rejects a repeated flag instead of silently keeping one', () => {
    expect(() => parse(['--epochs', '1', '--epochs=2'])).toThrow('--epochs is given more than once');
  });

  it('accepts --switch=true/false and nothing else', () => {
    expect(parse(['--json=false']).flags.get('json')).toBe(false);
    expect(() => parse(['--json=yes'])).toThrow(/--json is a switch/);
  });

  it('treats everything after -- as positionals', () => {
    expect(parse(['--', '--json']).positionals).toEqual(['--json']);
  });
});

describe('Flags', () => {
  it('names the flag when a number, whole number or list is malformed', () => {
    expect(() => new Flags(parse(['--epochs', 'five'])).int('epochs')).toThrow('--epochs must be a number (got "five")');
    expect(() => new Flags(parse(['--epochs', '1.5'])).int('epochs')).toThrow('--epochs must be a whole number (got "1.5")');
    expect(() => new Flags(parse(['--epochs='])).number('epochs')).toThrow('--epochs must be a number (got "")');
    expect(() => new Flags(parse(['--list', '32,,64'])).intList('list')).toThrow(/--list must be a comma-separated list/);
    expect(new Flags(parse(['--list', '32, 64,64'])).intList('list')).toEqual([32, 64, 64]);
    expect(new Flags(parse(['--list='])).intList('list')).toEqual([]);
  });

  it('checks enumerations', () => {
    expect(() => new Flags(parse(['--epochs', 'x'])).oneOf('epochs', ['a', 'b'])).toThrow('--epochs must be one of a, b (got "x")');
  });
});

describe('positionals', () => {
  it('requires exactly the named arguments', () => {
    expect(() => positionals(parse([]), ['id'], 'show')).toThrow('"rlab show" needs <id>');
    expect(() => positionals(parse(['a', 'b']), ['id'], 'show')).toThrow('"rlab show" takes <id>; unexpected "b"');
    expect(positionals(parse(['a']), ['id'], 'show')).toEqual(['a']);
  });
});
