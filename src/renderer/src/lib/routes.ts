// Hash routes of the app: parsing `#/page/arg?query` and building links, kept free of Svelte so it is unit-testable.

export type PageName = 'experiments' | 'new' | 'run' | 'compare' | 'gallery' | 'export' | 'sweeps';

export interface Route {
  page: PageName;
  /** Path argument after the page (the run id of #/run/<id>, the sweep id or `new` of #/sweeps/…). */
  arg: string | null;
  query: URLSearchParams;
}

const PAGES: readonly PageName[] = ['experiments', 'new', 'run', 'compare', 'gallery', 'export', 'sweeps'];

/** Unknown or empty hashes land on the Experiments page. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const page = (PAGES as readonly string[]).includes(segments[0] ?? '') ? (segments[0] as PageName) : 'experiments';
  return { page, arg: segments[1] ?? null, query: new URLSearchParams(queryPart) };
}

/** `#/page[/arg][?query]`, dropping empty query values. */
export function href(page: PageName, arg?: string | null, query?: Record<string, string | number | null | undefined>): string {
  let out = `#/${page}`;
  if (arg) out += `/${encodeURIComponent(arg)}`;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${out}?${s}` : out;
}

export const runHref = (runId: string): string => href('run', runId);
/** #/sweeps/<id>; #/sweeps/new is the New-sweep form (sweep ids start with `swp_`). */
export const sweepHref = (sweepId: string): string => href('sweeps', sweepId);
export const NEW_SWEEP_ARG = 'new';
export const compareHref = (runIds: readonly string[]): string => href('compare', null, { runs: runIds.join(',') });

/** Run ids from `?runs=a,b,c`: blanks and duplicates dropped, order kept. */
export function parseRunIds(param: string | null): string[] {
  return [...new Set((param ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
}
