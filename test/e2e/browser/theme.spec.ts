// Browser E2E of the colour theme against a real `rlab serve` (a seeded lab, so the runs table and a run's charts have
// content): the system's preference is followed, the header toggle overrides it and survives a reload, text stays
// readable on its background in both palettes, and the charts redraw in the new colours without a reload.
import { expect, test, type Page } from '@playwright/test';
import { snap, watchPage } from '../helpers/page-watch';
import { seedLab } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
let runId = '';
test.beforeAll(async () => {
  lab = await startServe({ prepare: (home) => (runId = seedLab(home, 'e2e-theme', [0]).adv[0]!) });
});
test.afterAll(async () => {
  await lab?.stop();
});

type Rgb = [number, number, number];

function hexRgb(hex: string): Rgb {
  const n = parseInt(hex.trim().slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const rgbText = ([r, g, b]: Rgb) => `rgb(${r}, ${g}, ${b})`;

function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => v / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

interface Look {
  theme: string | undefined;
  colorScheme: string;
  bodyBackground: string;
  /** --bg as the current palette defines it */
  bg: string;
}

const look = (page: Page): Promise<Look> =>
  page.evaluate(() => {
    const root = getComputedStyle(document.documentElement);
    return { theme: document.documentElement.dataset.theme, colorScheme: root.colorScheme, bodyBackground: getComputedStyle(document.body).backgroundColor, bg: root.getPropertyValue('--bg') };
  });

/** The page is in `theme`: html says so, the browser draws its own controls to match, and body has that palette's --bg. */
async function expectTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  const l = await look(page);
  expect(l.colorScheme).toBe(theme);
  expect(l.bodyBackground).toBe(rgbText(hexRgb(l.bg)));
  if (theme === 'dark') expect(luminance(hexRgb(l.bg))).toBeLessThan(0.05);
  else expect(luminance(hexRgb(l.bg))).toBeGreaterThan(0.8);
}

/**
 * Every visible element with text of its own (or a form control's value) against the colour it is drawn on: its own
 * background, or the first ancestor's, translucent layers blended. Returns the ones under 3:1 (WCAG AA for large text).
 */
function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba | null => {
      const m = /^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)$/.exec(c);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
    };
    const lum = (c: Rgba) => {
      const [r, g, b] = c.slice(0, 3).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const backgroundOf = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c[3] > 0) layers.push(c);
        if (c && c[3] >= 1) break;
      }
      // blend from the opaque bottom layer up (white if nothing is opaque, as the browser's canvas would be)
      return layers.reduceRight<Rgba>((under, top) => [0, 1, 2].map((i) => top[i]! * top[3] + under[i]! * (1 - top[3])).concat(1) as Rgba, [255, 255, 255, 1]);
    };
    const hasOwnText = (el: Element) => el.matches('input:not([type=checkbox], [type=radio], [type=range]), select, textarea') || Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (el.matches('option, script, style') || !hasOwnText(el) || !el.checkVisibility({ checkOpacity: true, visibilityProperty: true })) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const fg = parse(getComputedStyle(el).color);
      const bg = backgroundOf(el);
      if (!fg) {
        bad.push(`${el.tagName} "${el.textContent!.trim().slice(0, 40)}": unparsed colour ${getComputedStyle(el).color}`);
        continue;
      }
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi! + 0.05) / (lo! + 0.05);
      if (ratio < 3) bad.push(`${el.tagName}.${el.className} "${el.textContent!.trim().slice(0, 40)}": ${ratio.toFixed(2)} (${getComputedStyle(el).color} on ${bg.join(',')})`);
    }
    return bad;
  });
}

async function openExperiments(page: Page): Promise<void> {
  await page.goto(`${lab.url}#/experiments`);
  await expect(page.getByRole('link', { name: /^e2e-theme/ }).first()).toBeVisible({ timeout: 60_000 });
}

async function openNew(page: Page): Promise<void> {
  await page.goto(`${lab.url}#/new`);
  await expect(page.getByTestId('start')).toBeVisible({ timeout: 60_000 });
}

/** Pixels of the run's chart canvases drawn (nearly opaque) in `hex`: axis ticks and titles are in --chart-text. */
function chartPixelsIn(page: Page, hex: string): Promise<number> {
  const [r, g, b] = hexRgb(hex);
  return page.evaluate(
    ({ r, g, b }) => {
      let n = 0;
      for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>('figure.chart canvas'))) {
        const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! >= 200 && Math.abs(d[i]! - r) <= 6 && Math.abs(d[i + 1]! - g) <= 6 && Math.abs(d[i + 2]! - b) <= 6) n++;
      }
      return n;
    },
    { r, g, b },
  );
}

const chartText = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--chart-text').trim());
const toggle = (page: Page) => page.getByTestId('theme-toggle');

test('a dark system gets the dark palette, with readable text on the Experiments and New experiment pages', async ({ page }) => {
  const watch = watchPage(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await openExperiments(page);
  await expectTheme(page, 'dark');
  await expect(toggle(page)).toHaveAccessibleName('Theme: system');
  expect(await lowContrast(page)).toEqual([]);
  await snap(page, 'theme-dark-experiments');
  await openNew(page);
  await expectTheme(page, 'dark');
  expect(await lowContrast(page)).toEqual([]);
  await snap(page, 'theme-dark-new');
  expect(watch.problems).toEqual([]);
});

test('a light system gets the light palette, and a change of the system setting applies at once', async ({ page }) => {
  const watch = watchPage(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await openExperiments(page);
  await expectTheme(page, 'light');
  expect(await lowContrast(page)).toEqual([]);
  await snap(page, 'theme-light-experiments');
  await openNew(page);
  await expectTheme(page, 'light');
  expect(await lowContrast(page)).toEqual([]);
  await snap(page, 'theme-light-new');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectTheme(page, 'dark');
  expect(watch.problems).toEqual([]);
});

test('the toggle set to light overrides a dark system and survives a reload', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openExperiments(page);
  await toggle(page).click();
  await expect(toggle(page)).toHaveAccessibleName('Theme: light');
  await expectTheme(page, 'light');
  await page.reload();
  await expect(toggle(page)).toHaveAccessibleName('Theme: light');
  await expectTheme(page, 'light');
  expect(await page.evaluate(() => localStorage.getItem('rlab.theme'))).toBe('light');
});

test('the toggle set to dark in a light system makes it dark, and back to system makes it light', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openNew(page);
  await toggle(page).click();
  await toggle(page).click();
  await expect(toggle(page)).toHaveAccessibleName('Theme: dark');
  await expectTheme(page, 'dark');
  await toggle(page).click();
  await expect(toggle(page)).toHaveAccessibleName('Theme: system');
  await expectTheme(page, 'light');
});

test('a run page’s charts redraw in the other palette’s colours when the theme changes', async ({ page }) => {
  const watch = watchPage(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${lab.url}#/run/${runId}`);
  await expect(page.getByTestId('run-title')).toHaveText(/^e2e-theme/, { timeout: 60_000 });
  await expect(page.locator('figure.chart:not([data-points="0"])').first()).toBeVisible();
  await expectTheme(page, 'dark');
  const darkText = await chartText(page);
  await expect.poll(() => chartPixelsIn(page, darkText)).toBeGreaterThan(0);
  expect(await lowContrast(page)).toEqual([]);
  await snap(page, 'theme-dark-run');
  await toggle(page).click(); // system (dark) → light
  await expectTheme(page, 'light');
  const lightText = await chartText(page);
  expect(lightText).not.toBe(darkText);
  await expect.poll(() => chartPixelsIn(page, lightText)).toBeGreaterThan(0);
  expect(await chartPixelsIn(page, darkText)).toBe(0);
  await snap(page, 'theme-light-run');
  expect(watch.problems).toEqual([]);
});
