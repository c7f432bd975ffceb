// Packaging of the desktop app with electron-builder (26 or newer, which applies `electronFuses` itself):
//   npm run build && npx electron-builder --config electron-builder.config.cjs
// electron-builder is not a dependency of this checkout; the fuses below are read back by
// test/unit/main/electron/fuses-config.test.ts.
/* global module */

module.exports = {
  appId: 'org.robustnesslab.desktop',
  productName: 'Robustness Lab',
  directories: { output: 'dist' },
  files: ['out/**/*', 'package.json', 'node_modules/.electron-sqlite/**/*'],
  // OnlyLoadAppFromAsar needs the app inside app.asar; native modules and TensorFlow's shared libraries cannot be
  // loaded from inside it, so they are unpacked next to it.
  asar: true,
  asarUnpack: ['**/*.node', 'node_modules/@tensorflow/tfjs-node-gpu/**/*', 'node_modules/.electron-sqlite/**/*'],
  electronFuses: {
    // ELECTRON_RUN_AS_NODE would turn the signed binary into a plain Node.js; the engine worker is a utilityProcess
    // (src/main/electron/utility-worker.ts), which does not need it.
    runAsNode: false,
    enableCookieEncryption: true,
    // NODE_OPTIONS (--require, --inspect) and --inspect* arguments would let anything that can start the app run code in it
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    // checks app.asar against the hash embedded at packaging time (macOS, and Windows from Electron 30; no effect on Linux)
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  },
  linux: { target: ['AppImage'], category: 'Science' },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools' },
  win: { target: ['nsis'] },
};
