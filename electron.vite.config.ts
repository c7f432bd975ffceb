// Build of the desktop app: Electron main (+ the engine worker bundle for its utilityProcess), the sandboxed preload, the Svelte renderer.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { type Plugin } from 'vite';
import { rendererCsp } from './src/main/electron/csp';

/** Writes the Content-Security-Policy into index.html: strict in builds, loosened for Vite's dev server (inline HMR styles, its socket). */
function cspPlugin(): Plugin {
  let dev = false;
  return {
    name: 'rlab:csp',
    configResolved(config) {
      dev = config.command === 'serve';
    },
    transformIndexHtml(html) {
      return html.replace('%RLAB_CSP%', rendererCsp({ dev }));
    },
  };
}

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      // Every runtime dependency (better-sqlite3, @tensorflow/*, ws, zod...) stays in node_modules: native ones cannot be bundled.
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          // the engine worker runs in a utilityProcess from its own bundle (see src/main/electron/utility-worker.ts)
          'engine-worker': resolve(root, 'src/main/lab/worker/entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only require('electron'): everything else is bundled into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [svelte(), cspPlugin()],
    build: {
      rolldownOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
    },
  },
});
