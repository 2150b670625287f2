/**
 * node:fs and node:path for the few core modules that touch files (.npy/.npz files, Solver checkpoints).
 * They are loaded only under Node, by a top-level await (as backend/wasm/pool.ts loads worker_threads), so
 * those modules can also be bundled for a browser or a Web Worker: there, only calling a file function
 * fails, with an error that names it.
 */
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const fsModule = isNode ? await import('node:fs') : null;
const pathModule = isNode ? await import('node:path') : null;

function noFiles(op: string): Error {
  return new Error(`${op}: reading and writing files needs Node.js; this environment has no file system`);
}

/** node:fs, or an error naming `op` where there is none (browsers). */
export function nodeFs(op: string): typeof import('node:fs') {
  if (!fsModule) throw noFiles(op);
  return fsModule;
}

/** node:path, or an error naming `op` where there is none (browsers). */
export function nodePath(op: string): typeof import('node:path') {
  if (!pathModule) throw noFiles(op);
  return pathModule;
}

const cryptoModule = isNode ? await import('node:crypto') : null;

/** The sha256 of `bytes` as hex (Node only: checkpoints use it to pair their files). */
export function sha256Hex(bytes: Uint8Array): string {
  if (!cryptoModule) throw noFiles('sha256Hex');
  return cryptoModule.createHash('sha256').update(bytes).digest('hex');
}
