// The 95% Wilson score interval of an accuracy: what every robust accuracy is shown with (Wilson 1927; better than the
// normal approximation near 0% and 100%, where robust accuracies often are).

const Z95 = 1.959963984540054;

/** 95% interval of `correct` successes in `count` trials; {0, 1} for count 0 (nothing is known). */
export function wilsonInterval(correct: number, count: number): { low: number; high: number } {
  if (count <= 0) return { low: 0, high: 1 };
  const p = correct / count;
  const z2n = (Z95 * Z95) / count;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (Z95 / (1 + z2n)) * Math.sqrt((p * (1 - p)) / count + z2n / (4 * count));
  // at 0 and count the bounds are exactly 0 and 1; the closed form leaves float noise there
  return { low: correct <= 0 ? 0 : Math.max(0, centre - half), high: correct >= count ? 1 : Math.min(1, centre + half) };
}
