// Every RLAB_* environment variable the project reads, in one table: `rlab help` prints it, the README lists the same.

export interface EnvVar {
  name: string;
  /** What it does and its default, in one line. */
  help: string;
  /** Who reads it: the lab itself, `npm install`'s setup, or the tests and fixture scripts. */
  scope: 'lab' | 'setup' | 'tests';
}

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'RLAB_HOME', scope: 'lab', help: 'the lab folder: lab.sqlite, runs/, data/ (default ~/.robustness-lab)' },
  { name: 'RLAB_BACKEND', scope: 'lab', help: 'force the engine: tensorflow (or native), wasm, cpu (default: the best that loads)' },
  { name: 'RLAB_VERBOSE', scope: 'lab', help: "1: show TensorFlow's start-up and info lines from the engine worker (as --verbose does)" },
  { name: 'RLAB_TOKEN', scope: 'lab', help: "rlab serve's token when neither --token nor --token-file is given (16–256 characters)" },
  { name: 'RLAB_WORKER_SECRET', scope: 'lab', help: "rlab worker's copy of the lab host's <lab home>/worker-secret when --secret-file is not given (32+ characters)" },
  { name: 'RLAB_UI_DIR', scope: 'lab', help: 'the folder rlab serve serves the UI from (default out/renderer)' },
  { name: 'RLAB_MNIST_MIRROR', scope: 'lab', help: 'folder URL to download full MNIST from instead of its official location' },
  { name: 'RLAB_FASHION_MNIST_MIRROR', scope: 'lab', help: 'folder URL to download Fashion-MNIST from instead of its official location' },
  { name: 'RLAB_MIRROR_CHECKSUMS', scope: 'lab', help: "official (default): check downloads against the published sha256; mirror: trust the mirror's <file>.sha256" },
  { name: 'RLAB_SQLITE_BINDING', scope: 'lab', help: "the desktop app's better-sqlite3 binary, when not the one built for its Electron" },
  { name: 'RLAB_CACHE_DIR', scope: 'setup', help: 'where the setup caches libtensorflow and the built binding (default ~/.cache/robustness-lab)' },
  { name: 'RLAB_FORCE_CPU', scope: 'setup', help: '1: build the CPU TensorFlow engine even when an NVIDIA GPU is visible' },
  { name: 'RLAB_SKIP_OFFICIAL', scope: 'setup', help: '1: skip the official libtensorflow download, use the Python wheel' },
  { name: 'RLAB_SKIP_ELECTRON_DOWNLOAD', scope: 'setup', help: '1: do not fetch the Electron binary' },
  { name: 'RLAB_CHROMIUM', scope: 'tests', help: 'the Chromium the browser E2E tests drive (default: `command -v chromium`)' },
  { name: 'RLAB_ELECTRON_PATH', scope: 'tests', help: 'the Electron binary the desktop E2E test launches' },
  { name: 'RLAB_PYTHON', scope: 'tests', help: 'a Python with pandas for the report test (default python3)' },
  { name: 'RLAB_PIP_FIND_LINKS', scope: 'tests', help: 'the offline wheel folder for npm run fixtures:nsl (default /opt/pypi/files)' },
  { name: 'RLAB_NSL_VENV', scope: 'tests', help: 'the virtual environment npm run fixtures:nsl uses or creates' },
  { name: 'RLAB_NSL_ROOT', scope: 'tests', help: "NSL 1.4.0's neural_structured_learning folder for npm run fixtures:nsl" },
];

const SCOPE_TITLE: Record<EnvVar['scope'], string> = { lab: 'the lab', setup: 'npm install (engine setup)', tests: 'tests and fixture scripts' };

/** The table as `rlab help` prints it, grouped by who reads each variable. */
export function envVarsHelp(): string {
  const w = Math.max(...ENV_VARS.map((v) => v.name.length));
  const lines = ['environment:'];
  for (const scope of ['lab', 'setup', 'tests'] as const) {
    lines.push(`  read by ${SCOPE_TITLE[scope]}:`);
    for (const v of ENV_VARS.filter((x) => x.scope === scope)) lines.push(`    ${v.name.padEnd(w)}  ${v.help}`);
  }
  return lines.join('\n');
}
