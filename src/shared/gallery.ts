// Gallery paging limits and the perturbation norms shown for one gallery image (shared by the store and the UI).

/** Most evaluations one galleryPage request shows side by side. */
export const GALLERY_PAGE_MAX_EVALUATIONS = 8;
/** Most examples on one gallery page. */
export const GALLERY_PAGE_MAX_LIMIT = 64;
/** Examples per page when a request leaves `limit` out. */
export const GALLERY_PAGE_DEFAULT_LIMIT = 16;

/**
 * L∞ and L2 norms of adversarial − clean on the [0, 1] pixel scale, from the stored 0–255 pixels (so each difference
 * is quantised to 1/255 and the norms can be up to that much off the attack's own float perturbation).
 */
export function perturbationNorms(clean: ArrayLike<number>, adversarial: ArrayLike<number>): { linf: number; l2: number } {
  let linf = 0;
  let sq = 0;
  const n = Math.min(clean.length, adversarial.length);
  for (let i = 0; i < n; i++) {
    const d = (adversarial[i]! - clean[i]!) / 255;
    const a = Math.abs(d);
    if (a > linf) linf = a;
    sq += d * d;
  }
  return { linf, l2: Math.sqrt(sq) };
}
