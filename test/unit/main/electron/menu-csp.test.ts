// The application menu keeps the standard roles and page shortcuts; the renderer CSP stays strict outside dev.
import { describe, expect, it, vi } from 'vitest';
import { type MenuItemConstructorOptions } from 'electron';
import { rendererCsp } from '../../../../src/main/electron/csp';
import { menuTemplate, PAGE_SHORTCUTS } from '../../../../src/main/electron/menu';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);
}

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  for (const i of items) {
    if (i.label === label) return i;
    const inner = Array.isArray(i.submenu) ? find(i.submenu, label) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

const base = { appName: 'Robustness Lab', navigate: () => undefined, openDataFolder: () => undefined };

describe('menuTemplate', () => {
  it('uses the standard roles, with an app menu on macOS only and dev tools only in development', () => {
    const linux = roles(menuTemplate({ ...base, isMac: false, isDev: false }));
    expect(linux).toEqual(expect.arrayContaining(['quit', 'editMenu', 'reload', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen', 'windowMenu', 'about']));
    expect(linux).not.toContain('appMenu');
    expect(linux).not.toContain('toggleDevTools');
    const mac = roles(menuTemplate({ ...base, isMac: true, isDev: true }));
    expect(mac).toEqual(expect.arrayContaining(['appMenu', 'close', 'toggleDevTools']));
  });

  it('navigates to each page from the Go menu', () => {
    const navigate = vi.fn();
    const template = menuTemplate({ ...base, isMac: false, isDev: false, navigate });
    for (const p of PAGE_SHORTCUTS) {
      const item = find(template, p.label);
      expect(item?.accelerator).toBe(`CmdOrCtrl+${p.key}`);
      (item?.click as () => void)();
    }
    expect(navigate.mock.calls.map((c) => c[0])).toEqual(['#/experiments', '#/new', '#/compare', '#/gallery', '#/export']);
  });
});

describe('rendererCsp', () => {
  it('denies by default and allows only same-origin scripts, styles and connections in builds', () => {
    const csp = rendererCsp();
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('loosens styles and connections only for the dev server', () => {
    const csp = rendererCsp({ dev: true });
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self' ws: http:");
    expect(csp).not.toContain('unsafe-eval');
  });
});
