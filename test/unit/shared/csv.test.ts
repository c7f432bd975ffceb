// CSV cells: quoted exactly when needed, numbers in the forms pandas parses, and read back intact by an independent parser.
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../../src/shared/csv';
import { parseCsv } from './csv-parse';

describe('csvField', () => {
  it('leaves plain text and numbers bare', () => {
    expect(csvField('run_ab12')).toBe('run_ab12');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(1e-7)).toBe('1e-7');
    expect(csvField(true)).toBe('true');
  });

  it('quotes commas, quotes, line breaks and edge spaces, doubling inner quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' padded')).toBe('" padded"');
  });

  it('writes missing and NaN as empty cells and infinities as inf/-inf', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Infinity)).toBe('inf');
    expect(csvField(-Infinity)).toBe('-inf');
  });
});

describe('toCsv', () => {
  it('round-trips awkward cells through an independent parser', () => {
    const rows = [['x,y', 'he said "no"', 'multi\nline\r\nvalue'], ['', ' lead', 'trail ']];
    for (const eol of ['\n', '\r\n'] as const) {
      const text = toCsv(['a', 'b,c', 'd"e'], rows, eol);
      expect(text.endsWith(eol)).toBe(true);
      expect(parseCsv(text)).toEqual([['a', 'b,c', 'd"e'], ...rows]);
    }
    expect(toCsv(['a'], [['1']])).toBe('a\r\n1\r\n');
  });

  it('refuses a row whose width differs from the header', () => {
    expect(() => toCsv(['a', 'b'], [['1']])).toThrow(/row 0 has 1 cells, the header has 2/);
  });
});
