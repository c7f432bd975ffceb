// The colour theme: a stored choice falls back to following the system, the choice and the system's preference give
// the effective theme, the toggle cycles, and charts take their colours from the theme's CSS variables.
import { describe, expect, it } from 'vitest';
import { type ChartOptions } from 'chart.js';
import { applyChartColours, chartColoursFrom } from '../../../src/renderer/src/charts/line-chart';
import { effectiveTheme, nextThemeChoice, parseThemeChoice, THEME_CHOICES } from '../../../src/renderer/src/lib/theme-choice';

describe('theme choice', () => {
  it('reads a stored choice, and anything else (missing, empty, old, other case) as system', () => {
    for (const c of THEME_CHOICES) expect(parseThemeChoice(c)).toBe(c);
    for (const bad of [null, undefined, '', 'Dark', 'auto', '"dark"', ' light']) expect(parseThemeChoice(bad)).toBe('system');
  });

  it('follows the system only when the choice is system', () => {
    expect(effectiveTheme('system', true)).toBe('dark');
    expect(effectiveTheme('system', false)).toBe('light');
    expect(effectiveTheme('light', true)).toBe('light');
    expect(effectiveTheme('dark', false)).toBe('dark');
  });

  it('cycles system → light → dark → system', () => {
    expect(nextThemeChoice('system')).toBe('light');
    expect(nextThemeChoice('light')).toBe('dark');
    expect(nextThemeChoice('dark')).toBe('system');
  });
});

describe('chart colours', () => {
  it('come from the --chart-* variables, with the light ones when a variable is unset', () => {
    const vars: Record<string, string> = { '--chart-grid': ' rgba(255, 255, 255, 0.08)', '--chart-text': '#9aa3ae ' };
    expect(chartColoursFrom((n) => vars[n] ?? '')).toEqual({ grid: 'rgba(255, 255, 255, 0.08)', text: '#9aa3ae' });
    expect(chartColoursFrom(() => '')).toEqual({ grid: 'rgba(0, 0, 0, 0.06)', text: '#5f6773' });
  });

  it('are applied to both axes (grid, ticks, title) and the legend in place', () => {
    const options: ChartOptions<'line'> = {
      scales: {
        x: { type: 'linear', grid: { color: 'g0' }, ticks: { color: 't0' }, title: { display: true, text: 'step', color: 't0' } },
        y: { type: 'linear', grid: { color: 'g0' }, ticks: { color: 't0' }, title: { display: false, text: '', color: 't0' } },
      },
      plugins: { legend: { labels: { color: 't0' } } },
    };
    applyChartColours(options, { grid: 'G', text: 'T' });
    for (const axis of [options.scales!.x!, options.scales!.y!]) {
      expect(axis.grid?.color).toBe('G');
      expect(axis.ticks?.color).toBe('T');
      expect('title' in axis && axis.title?.color).toBe('T');
    }
    expect(options.plugins?.legend?.labels?.color).toBe('T');
  });
});
