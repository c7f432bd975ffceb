// Full-page screenshots of every page of the UI served by `rlab serve`, at three widths (light) and the widest in dark,
// with a table of the pages that scroll sideways. Written for before/after comparisons of UI work (issue 11): it only
// speaks the wire protocol's oldest calls (listRuns, listEvaluations) and hash routes, so it works against older builds.
//
//   npx tsx scripts/ui-screenshots.ts --url 'http://127.0.0.1:PORT/?token=…' --out test-results/screenshots/after
//
// Options (all but --url and --out are optional; run ids are found through the served API when not given):
//   --base <runId>          the base run whose page is shot (default: the oldest completed base run)
//   --adv <runId>           the adversarially trained run (default: the adv run of the same experiment and seed)
//   --runs <a,b,c,d>        the runs of the Compare page (default: the four runs of the first two-seed experiment, or
//                           the first four completed runs)
//   --gallery <query>       the Gallery's query, e.g. 'run=…&eval=3&run2=…&eval2=4' (default: the adv and the base run
//                           side by side on the same white-box attack)
//   --page <name>=<route>   adds or replaces a page (repeatable), e.g. --page 'gallery=#/gallery?run=…'
//   --pages <a,b,…>         shoots only these pages (names as in the files)
//   --widths <1440,1024,800>  viewport widths (heights 900/768/700, else 0.625·width); dark is shot at the first only
//   --settle <ms>           wait after the page has loaded (default 1200)
//   --json <file>           writes the results table as JSON too (default <out>/results.json)
//
// Files are <page>-<width>.png and <page>-<width>-dark.png. Chromium is Debian's (`command -v chromium`, or
// $RLAB_CHROMIUM); nothing is downloaded.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, chromiumPath } from '../test/e2e/helpers/chromium';

const HEIGHTS: Record<number, number> = { 1440: 900, 1024: 768, 800: 700 };
const USAGE = "usage: npx tsx scripts/ui-screenshots.ts --url 'http://127.0.0.1:PORT/?token=…' --out DIR [--base RUN] [--adv RUN] [--runs A,B,C,D] [--gallery QUERY] [--page NAME=ROUTE]… [--pages NAME,…] [--widths 1440,1024,800] [--settle MS] [--json FILE]";

interface Options {
  url: string;
  out: string;
  base: string | null;
  adv: string | null;
  runs: string[] | null;
  gallery: string | null;
  extraPages: [string, string][];
  only: string[] | null;
  widths: number[];
  settleMs: number;
  json: string | null;
}

interface RunLite {
  id: string;
  experimentId: string;
  role: string;
  seed: number;
  status: string;
  createdAt: string;
}

interface EvalLite {
  id: number;
  runId: string;
  sourceRunId: string | null;
  attack: string;
  norm: string;
  epsilon: number;
}

interface ShotResult {
  page: string;
  route: string;
  width: number;
  scheme: 'light' | 'dark';
  file: string;
  scrollWidth: number;
  clientWidth: number;
  scrollsHorizontally: boolean;
  /** The widest elements sticking out past the viewport's right edge (tag.class, right edge), when it scrolls. */
  overflowing: string[];
  stillLoading: boolean;
  problems: string[];
}

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { url: '', out: '', base: null, adv: null, runs: null, gallery: null, extraPages: [], only: null, widths: [1440, 1024, 800], settleMs: 1200, json: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const value = argv[i + 1];
    if (value === undefined) fail(`${flag} needs a value`);
    i++;
    switch (flag) {
      case '--url': o.url = value; break;
      case '--out': o.out = value; break;
      case '--base': o.base = value; break;
      case '--adv': o.adv = value; break;
      case '--runs': o.runs = value.split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--gallery': o.gallery = value.replace(/^#?\/?gallery\??/, ''); break;
      case '--page': {
        const eq = value.indexOf('=');
        if (eq <= 0) fail(`--page takes NAME=ROUTE (got ${value})`);
        o.extraPages.push([value.slice(0, eq), value.slice(eq + 1)]);
        break;
      }
      case '--pages': o.only = value.split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--widths': o.widths = value.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0); break;
      case '--settle': o.settleMs = Number(value) || 0; break;
      case '--json': o.json = value; break;
      default: fail(`unknown option ${flag}`);
    }
  }
  if (!o.url) fail('--url is required (the address `rlab serve` printed, token included)');
  if (!o.out) fail('--out is required');
  if (o.widths.length === 0) fail('--widths has no usable width');
  return o;
}

/** A few calls over the served WebSocket (PROTOCOL.md: `{id, method, params}` → `{id, ok, result | error}`). */
class Wire {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let msg: { id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string } };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (typeof msg.id !== 'number') return; // an event
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(`${msg.error?.code ?? 'error'}: ${msg.error?.message ?? 'the call failed'}`));
    });
    socket.on('close', (code, reason) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the lab server closed the connection (${code} ${String(reason)})`));
      this.waiting.clear();
    });
  }

  static open(pageUrl: string): Promise<Wire> {
    const u = new URL(pageUrl);
    const token = u.searchParams.get('token') ?? '';
    const wsUrl = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws?token=${encodeURIComponent(token)}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl);
      socket.once('open', () => resolve(new Wire(socket)));
      socket.once('error', reject);
    });
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
      setTimeout(() => {
        if (this.waiting.delete(id)) reject(new Error(`${method} did not answer within 30 s`));
      }, 30_000).unref();
    });
  }

  close(): void {
    this.socket.close(1000, 'done');
  }
}

const byAge = (a: RunLite, b: RunLite): number => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

/** The run's white-box attack evaluations (crafted on the run itself, not clean accuracy), oldest first. */
function whiteBoxAttacks(evals: EvalLite[]): EvalLite[] {
  return evals.filter((e) => e.attack !== 'clean' && e.sourceRunId === null).sort((a, b) => a.id - b.id);
}

async function discover(o: Options): Promise<{ base: string; adv: string; compare: string[]; gallery: string }> {
  const needsApi = !o.base || !o.adv || !o.runs || !o.gallery;
  if (!needsApi) return { base: o.base!, adv: o.adv!, compare: o.runs!, gallery: o.gallery! };
  const wire = await Wire.open(o.url);
  try {
    const runs = (await wire.call<RunLite[]>('listRuns', { limit: 1000 })).filter((r) => r.status === 'completed').sort(byAge);
    if (runs.length === 0) throw new Error('the lab has no completed run: make some first (rlab run --preset quick)');
    const base = o.base ?? runs.find((r) => r.role === 'base')?.id ?? runs[0]!.id;
    const baseRun = runs.find((r) => r.id === base);
    const adv =
      o.adv ??
      runs.find((r) => r.role === 'adv' && baseRun && r.experimentId === baseRun.experimentId && r.seed === baseRun.seed)?.id ??
      runs.find((r) => r.role === 'adv')?.id ??
      runs.find((r) => r.id !== base)?.id ??
      base;
    let compare = o.runs;
    if (!compare) {
      const byExperiment = new Map<string, RunLite[]>();
      for (const r of runs) byExperiment.set(r.experimentId, [...(byExperiment.get(r.experimentId) ?? []), r]);
      const seeded = [...byExperiment.values()].find((rs) => rs.length >= 4 && new Set(rs.map((r) => r.seed)).size >= 2);
      compare = (seeded ?? runs).slice(0, 4).map((r) => r.id);
    }
    let gallery = o.gallery;
    if (!gallery) {
      const advEvals = whiteBoxAttacks(await wire.call<EvalLite[]>('listEvaluations', { runId: adv }));
      const baseEvals = adv === base ? [] : whiteBoxAttacks(await wire.call<EvalLite[]>('listEvaluations', { runId: base }));
      // the same attack on both runs, so the panes line up
      let pair: [EvalLite, EvalLite | null] | null = null;
      for (const a of advEvals) {
        const b = baseEvals.find((e) => e.attack === a.attack && e.norm === a.norm && e.epsilon === a.epsilon);
        if (b) {
          pair = [a, b];
          break;
        }
      }
      if (!pair && advEvals[0]) pair = [advEvals[0], baseEvals[0] ?? null];
      const q = new URLSearchParams({ run: adv });
      if (pair) q.set('eval', String(pair[0].id));
      if (adv !== base) {
        q.set('run2', base);
        if (pair?.[1]) q.set('eval2', String(pair[1].id));
      }
      gallery = q.toString();
    }
    return { base, adv, compare, gallery };
  } finally {
    wire.close();
  }
}


/** The page has its data: no "Loading…" status left (a few polls apart, so a second fetch after the first is caught). */
async function waitLoaded(page: Page, settleMs: number): Promise<boolean> {
  const loadingShown = () =>
    page.evaluate(() => {
      const els = Array.from(document.querySelectorAll('[role="status"], [aria-busy="true"], .loading'));
      return els.some((el) => (el as HTMLElement).offsetParent !== null && /loading|connecting|reconnecting/i.test(el.textContent ?? '')) || (document.querySelector('#app')?.children.length ?? 1) === 0;
    });
  await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
  const deadline = Date.now() + 45_000;
  let clearPolls = 0;
  while (Date.now() < deadline) {
    if (await loadingShown()) clearPolls = 0;
    else if (++clearPolls >= 3) break;
    await page.waitForTimeout(250);
  }
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  await page.waitForTimeout(settleMs);
  return loadingShown();
}

async function measure(page: Page): Promise<{ scrollWidth: number; clientWidth: number; overflowing: string[] }> {
  return page.evaluate(() => {
    const de = document.documentElement;
    const cw = de.clientWidth;
    const out: { label: string; right: number }[] = [];
    if (de.scrollWidth > cw) {
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= cw + 1) continue;
        // only the outermost element that sticks out, not each of its children
        const parent = el.parentElement;
        if (parent && parent !== document.body && parent.getBoundingClientRect().right > cw + 1) continue;
        const cls = typeof el.className === 'string' ? el.className.split(/\s+/).filter((c: string) => c && !c.startsWith('svelte-')).slice(0, 2).join('.') : '';
        const tid = el.getAttribute('data-testid');
        out.push({ label: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls ? `.${cls}` : ''}${tid ? `[${tid}]` : ''}`, right: Math.round(r.right) });
      }
    }
    out.sort((a, b) => b.right - a.right);
    return { scrollWidth: de.scrollWidth, clientWidth: cw, overflowing: out.slice(0, 4).map((o) => `${o.label}→${o.right}px`) };
  });
}

async function shoot(browser: Browser, o: Options, name: string, route: string, width: number, scheme: 'light' | 'dark'): Promise<ShotResult> {
  const height = HEIGHTS[width] ?? Math.round(width * 0.625);
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text().slice(0, 200)}`);
  });
  try {
    await page.emulateMedia({ colorScheme: scheme });
    const u = new URL(o.url);
    u.hash = route.replace(/^#?/, '#');
    await page.goto(u.toString(), { waitUntil: 'domcontentloaded' });
    const stillLoading = await waitLoaded(page, o.settleMs);
    await page.evaluate(() => window.scrollTo(0, 0));
    const m = await measure(page);
    const file = `${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`;
    await page.screenshot({ path: path.join(o.out, file), fullPage: true });
    return { page: name, route, width, scheme, file, ...m, scrollsHorizontally: m.scrollWidth > m.clientWidth, stillLoading, problems };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  const ids = await discover(o);
  const pages = new Map<string, string>([
    ['experiments', '#/experiments'],
    ['new', '#/new'],
    ['run-base', `#/run/${encodeURIComponent(ids.base)}`],
    ['run-adv', `#/run/${encodeURIComponent(ids.adv)}`],
    ['compare', `#/compare?runs=${ids.compare.join(',')}`],
    ['gallery', `#/gallery?${ids.gallery}`],
    ['export', `#/export?run=${encodeURIComponent(ids.adv)}`],
  ]);
  for (const [name, route] of o.extraPages) pages.set(name, route);
  const chosen = [...pages].filter(([name]) => !o.only || o.only.includes(name));
  console.log(`runs: base ${ids.base}, adv ${ids.adv}; compare ${ids.compare.join(',')}; gallery ?${ids.gallery}`);

  const executablePath = chromiumPath();
  if (!executablePath) fail('no Chromium found: install Debian\'s chromium or set RLAB_CHROMIUM (nothing is downloaded)');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const results: ShotResult[] = [];
  try {
    for (const [name, route] of chosen) {
      const shots: [number, 'light' | 'dark'][] = [...o.widths.map((w) => [w, 'light'] as [number, 'light']), [o.widths[0]!, 'dark']];
      for (const [width, scheme] of shots) {
        const r = await shoot(browser, o, name, route, width, scheme);
        results.push(r);
        console.log(`${r.file}${r.stillLoading ? '  (still loading!)' : ''}${r.problems.length ? `  ${r.problems.length} problem(s)` : ''}`);
      }
    }
  } finally {
    await browser.close();
  }

  const rows = results.map((r) => [r.page, String(r.width), r.scheme, r.scrollsHorizontally ? `yes (${r.scrollWidth} > ${r.clientWidth})` : 'no', r.overflowing.join(' ') || '-', r.file]);
  const header = ['page', 'width', 'scheme', 'scrolls horizontally', 'sticking out', 'file'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  const problems = results.filter((r) => r.problems.length || r.stillLoading);
  for (const r of problems) console.log(`\n${r.file}:${r.stillLoading ? ' still showed a loading status when shot;' : ''}\n  ${r.problems.join('\n  ')}`);
  fs.writeFileSync(o.json ?? path.join(o.out, 'results.json'), `${JSON.stringify({ url: o.url.replace(/token=[^&#]*/, 'token=…'), ids, results }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
