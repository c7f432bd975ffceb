// Refusal logging that a flood cannot turn into a flood of log lines: at most `lines` per window, then one summary.

export function limitedLog(log: (line: string) => void, lines = 50, windowMs = 10_000, now: () => number = Date.now): (line: string) => void {
  let windowStart = -Infinity;
  let written = 0;
  let dropped = 0;
  return (line) => {
    const t = now();
    if (t - windowStart >= windowMs) {
      if (dropped > 0) log(`${dropped} more refusal${dropped === 1 ? '' : 's'} in the last ${Math.round(windowMs / 1000)} s not shown`);
      windowStart = t;
      written = 0;
      dropped = 0;
    }
    if (written < lines) {
      written += 1;
      log(line);
    } else {
      dropped += 1;
    }
  };
}
