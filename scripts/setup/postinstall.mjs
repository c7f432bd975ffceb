// npm postinstall: prepares the native TensorFlow engine (and the Electron binary when it can be had).
// Never fails the install: every step records what happened so `rlab doctor` can explain it.
import { setupEngine } from './engine-setup.mjs';
import { setupElectron } from './electron-setup.mjs';
import { setupElectronSqlite } from './electron-sqlite-setup.mjs';

const force = process.argv.includes('--force');
try {
  const engine = await setupEngine({ force, log: (m) => console.log(`[rlab setup] ${m}`) });
  console.log(`[rlab setup] engine: ${engine.ok ? 'native TensorFlow ' + engine.tfVersion + ' (' + engine.source + ')' : 'native TensorFlow unavailable: ' + engine.reason}`);
} catch (err) {
  console.log(`[rlab setup] engine setup failed, the lab will fall back to wasm/cpu: ${err instanceof Error ? err.message : String(err)}`);
}
try {
  const electron = await setupElectron({ log: (m) => console.log(`[rlab setup] ${m}`) });
  console.log(`[rlab setup] electron: ${electron.ok ? 'binary ready' : 'no binary (' + electron.reason + '); the desktop app needs it, `rlab serve` does not'}`);
} catch (err) {
  console.log(`[rlab setup] electron setup failed: ${err instanceof Error ? err.message : String(err)}`);
}
try {
  const sqlite = await setupElectronSqlite({ log: (m) => console.log(`[rlab setup] ${m}`) });
  console.log(`[rlab setup] better-sqlite3 for Electron: ${sqlite.ok ? sqlite.path : sqlite.reason}`);
} catch (err) {
  console.log(`[rlab setup] better-sqlite3 for Electron failed: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(0);
