import { describe, expect, it } from 'vitest';
import { limitedLog } from '../../../../src/main/server/log-limit';

describe('limitedLog', () => {
  it('writes at most N lines per window, then says how many it left out', () => {
    const lines: string[] = [];
    let t = 0;
    const log = limitedLog((l) => lines.push(l), 3, 1000, () => t);
    for (let i = 0; i < 10; i++) log(`refusal ${i}`);
    expect(lines).toEqual(['refusal 0', 'refusal 1', 'refusal 2']);
    t = 1000;
    log('refusal 10');
    expect(lines.slice(3)).toEqual(['7 more refusals in the last 1 s not shown', 'refusal 10']);
  });
});
