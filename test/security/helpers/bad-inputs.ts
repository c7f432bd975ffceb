// Counts the bad inputs a security test file sends, and prints the count when the file is done.
import { afterAll } from 'vitest';

export function badInputCounter(suite: string): { tried(n?: number): void; readonly count: number } {
  let count = 0;
  afterAll(() => {
    console.log(`security suite, ${suite}: ${count} bad inputs tried`);
  });
  return {
    tried(n = 1) {
      count += n;
    },
    get count() {
      return count;
    },
  };
}
