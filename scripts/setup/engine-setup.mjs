// Builds @tensorflow/tfjs-node-gpu's native binding against the best libtensorflow this machine can get,
// caching libraries and the built binding so a second install takes seconds.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TF_WHEEL_VERSION = '2.21.0';
const OFFICIAL_VERSION = '2.18.0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bindingPkg = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');

export function cacheRoot() {
  const base = process.env.RLAB_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'robustness-lab');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

/** Where the setup leaves its record; `rlab doctor` reads it. */
export function setupRecordPath() {
  return path.join(root, 'node_modules', '.rlab-engine-setup.json');
}

function hasNvidiaGpu() {
  if (process.env.RLAB_FORCE_CPU === '1') return false;
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /GPU \d+/.test(r.stdout);
}

function bindingLoads() {
  // One small op makes TensorFlow create its devices; at INFO level (TF_CPP_MIN_LOG_LEVEL=0) a CUDA build logs
  // "Created device .../device:GPU:N" for every GPU it can use, and nothing when CUDA libraries are missing.
  const script = "const tf=require('@tensorflow/tfjs-node-gpu');tf.add(tf.scalar(1),tf.scalar(1)).dataSync();process.stdout.write(tf.backend().binding.TF_Version)";
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0' },
  });
  if (r.status !== 0) return { ok: false, reason: (r.stderr || '').split('\n').find((l) => /Error/.test(l)) || `exit ${r.status}` };
  const cudaDevices = new Set((r.stderr || '').match(/Created device \S*device:GPU:\d+/g) ?? []).size;
  return { ok: true, tfVersion: r.stdout.trim(), cudaDevices };
}

function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')];
  try {
    candidates.push(execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', timeout: 20_000 }).trim());
  } catch { /* npm not on PATH */ }
  return candidates.find((d) => d && d !== 'undefined' && fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')));
}

function python() {
  for (const cmd of ['python3', 'python']) {
    const r = spawnSync(cmd, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return cmd;
  }
  return undefined;
}

function fetchOfficial(variant, dest, log) {
  // The official C library tarball; only reachable with internet.
  const url = `https://storage.googleapis.com/tensorflow/versions/${OFFICIAL_VERSION}/libtensorflow-${variant}-linux-x86_64.tar.gz`;
  const tarball = path.join(dest, 'libtensorflow.tar.gz');
  fs.mkdirSync(dest, { recursive: true });
  const r = spawnSync('curl', ['-fsSL', '--connect-timeout', '8', '--max-time', '600', '-o', tarball, url], { encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, reason: `official libtensorflow download not reachable (${url})` };
  log(`downloaded ${url}`);
  const x = spawnSync('tar', ['-xzf', tarball, '-C', dest], { encoding: 'utf8' });
  fs.rmSync(tarball, { force: true });
  if (x.status !== 0) return { ok: false, reason: `could not unpack ${url}: ${x.stderr}` };
  return { ok: true, libDir: path.join(dest, 'lib'), includeDir: path.join(dest, 'include'), libName: 'libtensorflow.so.2', source: `official libtensorflow ${OFFICIAL_VERSION} (${variant})` };
}

function fetchWheel(pkg, dest, log, allowDownload = true) {
  const cached = fs.existsSync(path.join(dest, 'tensorflow', 'libtensorflow_cc.so.2'));
  if (!cached && !allowDownload) return { ok: false, reason: 'no cached wheel' };
  const py = cached ? 'python3' : python();
  if (!py) return { ok: false, reason: 'pip not found (python3 -m pip)' };
  const libDir = path.join(dest, 'tensorflow');
  if (!fs.existsSync(path.join(libDir, 'libtensorflow_cc.so.2'))) {
    fs.mkdirSync(dest, { recursive: true });
    log(`pip download --no-deps ${pkg}==${TF_WHEEL_VERSION} (large, once)`);
    const dl = spawnSync(py, ['-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '-d', dest, `${pkg}==${TF_WHEEL_VERSION}`], { encoding: 'utf8', timeout: 900_000 });
    const wheel = fs.readdirSync(dest).find((f) => f.endsWith('.whl'));
    if (dl.status !== 0 || !wheel) return { ok: false, reason: `pip download ${pkg}==${TF_WHEEL_VERSION} failed: ${(dl.stderr || '').trim().split('\n').pop()}` };
    const unzip = spawnSync(py, ['-c', [
      'import sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      "names = [n for n in z.namelist() if n.startswith('tensorflow/include/') or n in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')]",
      'z.extractall(sys.argv[2], names)',
    ].join('\n'), path.join(dest, wheel), dest], { encoding: 'utf8', timeout: 600_000 });
    fs.rmSync(path.join(dest, wheel), { force: true });
    if (unzip.status !== 0) return { ok: false, reason: `could not unpack ${wheel}: ${unzip.stderr}` };
  }
  return { ok: true, libDir, includeDir: path.join(libDir, 'include'), libName: 'libtensorflow_cc.so.2', source: `TensorFlow ${TF_WHEEL_VERSION} Python wheel (${pkg})` };
}

function linkInto(lib) {
  const depsLib = path.join(bindingPkg, 'deps', 'lib');
  fs.rmSync(path.join(bindingPkg, 'deps'), { recursive: true, force: true });
  fs.mkdirSync(depsLib, { recursive: true });
  const main = path.join(lib.libDir, lib.libName);
  for (const name of ['libtensorflow.so.2', 'libtensorflow.so', 'libtensorflow_cc.so.2']) fs.symlinkSync(main, path.join(depsLib, name));
  const fw = path.join(lib.libDir, 'libtensorflow_framework.so.2');
  fs.symlinkSync(fw, path.join(depsLib, 'libtensorflow_framework.so.2'));
  fs.symlinkSync(fw, path.join(depsLib, 'libtensorflow_framework.so'));
  fs.symlinkSync(lib.includeDir, path.join(bindingPkg, 'deps', 'include'));
}

function buildBinding(log) {
  const nodedir = findNodeDir();
  if (!nodedir) return { ok: false, reason: "Node's headers not found locally (set npm's nodedir)" };
  const preGyp = path.join(root, 'node_modules', '.bin', 'node-pre-gyp');
  log('building the tfjs binding from source (about 20 s)');
  for (const stale of ['build', 'lib']) fs.rmSync(path.join(bindingPkg, stale), { recursive: true, force: true });
  const r = spawnSync(preGyp, ['install', '--build-from-source'], {
    cwd: bindingPkg, encoding: 'utf8', timeout: 600_000, env: { ...process.env, npm_config_nodedir: nodedir },
  });
  return r.status === 0 ? { ok: true } : { ok: false, reason: `node-pre-gyp build failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}` };
}

function builtBindingPath() {
  const dir = path.join(bindingPkg, 'lib');
  if (!fs.existsSync(dir)) return undefined;
  for (const sub of fs.readdirSync(dir)) {
    const p = path.join(dir, sub, 'tfjs_binding.node');
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function readPreviousRecord() {
  try {
    return JSON.parse(fs.readFileSync(setupRecordPath(), 'utf8'));
  } catch {
    return undefined; // absent or unreadable: set up again
  }
}

/** lib/napi-vN where node-pre-gyp looks for the binding: the highest N both the package and this Node support. */
function napiBuildDir() {
  let versions = [];
  try {
    versions = JSON.parse(fs.readFileSync(path.join(bindingPkg, 'package.json'), 'utf8')).binary?.napi_versions ?? [];
  } catch { /* unreadable package.json: use the default below */ }
  const usable = versions.filter((v) => Number.isInteger(v) && v <= Number(process.versions.napi));
  return path.join(bindingPkg, 'lib', `napi-v${usable.length ? Math.max(...usable) : 8}`);
}

/** Returns { ok, tfVersion, source, gpu, cudaDevices, reasons[] } and writes it to setupRecordPath(). */
export async function setupEngine({ force = false, log = () => {} } = {}) {
  const record = { ok: false, source: 'none', tfVersion: null, gpu: false, cudaDevices: 0, reasons: [], at: new Date().toISOString() };
  const save = () => { try { fs.writeFileSync(setupRecordPath(), JSON.stringify(record, null, 2)); } catch { /* node_modules missing */ } return record; };
  if (!fs.existsSync(bindingPkg)) { record.reason = '@tensorflow/tfjs-node-gpu is not installed'; return save(); }
  const previous = readPreviousRecord();
  if (!force && previous?.ok && builtBindingPath()) {
    const check = bindingLoads();
    if (check.ok) {
      log('native binding already built and loading');
      // Records from before the CUDA device check lack the count; refresh it (devices can change between installs).
      Object.assign(record, previous, { cudaDevices: check.cudaDevices });
      return save();
    }
  }
  const gpu = hasNvidiaGpu();
  record.gpu = gpu;
  if (!gpu) record.reasons.push('no NVIDIA GPU visible (nvidia-smi -L), using the CPU build of TensorFlow');
  const variant = gpu ? 'gpu' : 'cpu';
  const pipPkg = gpu ? 'tensorflow' : 'tensorflow-cpu';
  const cache = cacheRoot();
  const libKey = `${variant}-${TF_WHEEL_VERSION}`;
  const cachedBinding = path.join(cache, 'binding', `${libKey}-napi${process.versions.napi}-node${process.versions.modules}`, 'tfjs_binding.node');
  let lib = fetchWheel(pipPkg, path.join(cache, 'libtensorflow', `wheel-${libKey}`), log, false);
  if (!lib.ok) {
    // Prefer an already cached wheel; otherwise try the official download first, then pip.
    const official = process.env.RLAB_SKIP_OFFICIAL === '1' ? { ok: false, reason: 'official download skipped (RLAB_SKIP_OFFICIAL=1)' } : fetchOfficial(variant, path.join(cache, 'libtensorflow', `official-${variant}-${OFFICIAL_VERSION}`), log);
    if (official.ok) lib = official;
    else {
      record.reasons.push(official.reason);
      lib = fetchWheel(pipPkg, path.join(cache, 'libtensorflow', `wheel-${libKey}`), log);
    }
  }
  if (!lib.ok) { record.reasons.push(lib.reason); record.reason = lib.reason; return save(); }
  record.source = lib.source;
  linkInto(lib);
  if (!force && fs.existsSync(cachedBinding) && lib.source.includes('wheel')) {
    const dest = napiBuildDir();
    fs.mkdirSync(dest, { recursive: true });
    fs.copyFileSync(cachedBinding, path.join(dest, 'tfjs_binding.node'));
    log('reused the cached native binding');
  } else {
    const built = buildBinding(log);
    if (!built.ok) { record.reasons.push(built.reason); record.reason = built.reason; return save(); }
    const out = builtBindingPath();
    if (out) { fs.mkdirSync(path.dirname(cachedBinding), { recursive: true }); fs.copyFileSync(out, cachedBinding); }
  }
  const check = bindingLoads();
  if (!check.ok) { record.reason = `binding built but does not load: ${check.reason}`; record.reasons.push(record.reason); return save(); }
  record.ok = true;
  record.tfVersion = check.tfVersion;
  record.cudaDevices = check.cudaDevices;
  if (gpu && check.cudaDevices === 0) record.reasons.push('TensorFlow was built for CUDA but created no GPU device (CUDA or cuDNN libraries not found); it runs on the CPU');
  return save();
}
