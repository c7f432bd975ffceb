// Browser E2E of a second `rlab serve` in front of the lab's host: the page, on the second server with its own token,
// lists the host's runs and opens one; when the host is killed, the page shows the connection loss as for a server
// gone away, and the second server keeps running.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { startServe, type ServedLab } from '../helpers/serve';
import { seedLab } from '../helpers/seeded-lab';
import { watchPage } from '../helpers/page-watch';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let host: ServedLab;
let proxy: { child: ChildProcess; url: string; stderr(): string; exited: Promise<number | null> };
let ids: { base: string[]; adv: string[] };

test.beforeAll(async () => {
  host = await startServe({ prepare: (home) => (ids = seedLab(home, 'e2e-proxied', [1])) });
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'rlab.mjs'), 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, RLAB_HOME: host.home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\?token=[0-9a-f]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`the second rlab serve exited (${code}):\n${out}\n${err}`)));
  });
  proxy = { child, url, stderr: () => err, exited };
});
test.afterAll(async () => {
  if (proxy && proxy.child.exitCode === null) {
    proxy.child.kill('SIGINT');
    await proxy.exited;
  }
  await host?.stop();
});

test('a page on a proxying rlab serve works on the host’s lab and shows the host’s death as a lost connection', async ({ page }) => {
  test.setTimeout(120_000);
  const watch = watchPage(page);
  const hostPid = (JSON.parse(readFileSync(path.join(host.home, 'host.json'), 'utf8')) as { pid: number }).pid;
  expect(proxy.stderr()).toContain(`serving the lab hosted by rlab serve (pid ${hostPid})`);
  expect(new URL(proxy.url).searchParams.get('token')).not.toBe(host.token);

  await page.goto(`${proxy.url}#/experiments`);
  const table = page.getByTestId('runs-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText('e2e-proxied');

  // the run page's calls (getRun, getMetrics, ...) go through the proxy to the host as well
  await page.goto(`${proxy.url}#/run/${ids.base[0]}`);
  await expect(page.getByText('e2e-proxied', { exact: false }).first()).toBeVisible();

  process.kill(hostPid, 'SIGKILL');
  await expect(page.getByText('Connection to the lab lost; reconnecting…')).toBeVisible();
  expect(proxy.child.exitCode).toBeNull();
  await expect.poll(() => proxy.stderr()).toContain(`the lab's host, rlab serve (pid ${hostPid}), stopped; restart rlab serve`);
  // still there a while later: the page keeps retrying, the proxy keeps refusing it with the reason
  await page.waitForTimeout(3000);
  await expect(page.getByText('Connection to the lab lost; reconnecting…')).toBeVisible();
  expect(proxy.child.exitCode).toBeNull();
  expect(watch.problems).toEqual([]);
});
