import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestedDeeperThan, readCall } from '../../../../src/main/server/ws-protocol';

describe('nestedDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(nestedDeeperThan('[[1]]', 2)).toBe(false);
    expect(nestedDeeperThan('[[[1]]]', 2)).toBe(true);
    expect(nestedDeeperThan('{"a":{"b":{}}}', 2)).toBe(true);
    expect(nestedDeeperThan('{"a":"[[[[[[{{{{"}', 1)).toBe(false);
    expect(nestedDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(nestedDeeperThan('[1],[2],[3]', 1)).toBe(false);
  });

  it('scans a million brackets without recursion', () => {
    expect(nestedDeeperThan('['.repeat(1_000_000), MAX_JSON_DEPTH)).toBe(true);
  });
});

describe('readCall', () => {
  it('refuses a message nested deeper than the limit before parsing it', () => {
    const r = readCall(Buffer.from(`{"id":1,"method":"listRuns","params":${'['.repeat(100)}${']'.repeat(100)}}`), false);
    expect(r).toMatchObject({ kind: 'reject', reply: { id: 0, ok: false, error: { code: 'invalid_argument', field: 'message' } } });
  });

  it('describes a bad id without quoting a large one', () => {
    const r = readCall(Buffer.from(JSON.stringify({ id: 'x'.repeat(5000), method: 'listRuns' })), false);
    expect(r.kind).toBe('reject');
    if (r.kind === 'reject') expect(r.reply.ok === false && r.reply.error.message.length).toBeLessThan(100);
  });
});
