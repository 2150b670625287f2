/**
 * Suites that need something a machine may lack (headless Chromium, WebAssembly SIMD). On a developer's
 * machine such a suite is skipped with a message saying what is missing; under CI (CI set, as every CI
 * service sets it and .ci/run does) a missing need fails the run instead, so CI cannot go green with suites
 * unrun. .ci/run installs what they need. Chromium's check is in browser.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmAvailable } from '../src/backend/wasm/index.js';
import { runtime, simdSupported } from '../src/backend/wasm/runtime.js';

/** True under CI: CI is set to anything but '', 'false' or '0'. */
export const underCi = (): boolean => !['', 'false', '0'].includes(process.env.CI ?? '');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Whether the test file at `fileUrl` (its import.meta.url) must skip a suite because `missing` (a reason,
 * or null when nothing is missing). Under CI it throws instead, which fails the file with the reason.
 */
export function skipFor(fileUrl: string, missing: string | null): boolean {
  if (missing === null) return false;
  const file = path.relative(root, fileURLToPath(fileUrl));
  if (underCi()) throw new Error(`${file}: ${missing}; under CI every suite must run (.ci/run installs it)`);
  console.warn(`${file}: skipping: ${missing}`);
  return true;
}

/** Why the wasm backend cannot run here, or null; `shared`: the suite needs its shared (threaded) memory. */
export function wasmMissing(shared = false): string | null {
  if (!simdSupported()) return 'this JavaScript engine has no WebAssembly SIMD, so there is no wasm backend';
  if (!wasmAvailable()) return 'the wasm module does not instantiate here';
  if (shared && !runtime().shared) return 'the wasm memory is not shared here (no SharedArrayBuffer)';
  return null;
}
