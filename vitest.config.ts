/**
 * `npm test` runs every suite once, and the suites whose results depend on the backend's kernels a second
 * time: once per backend (wasm, js). The rest test code above the kernels (the command, the dashboard, data
 * files, the web pages, the wasm kernels against the js ones directly) and gain nothing from a second pass.
 *
 * With NABLA_BACKEND set (`NABLA_BACKEND=js npx vitest run test/nn`), every selected file runs once on that
 * backend, as before the split.
 */
import { availableParallelism } from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The suites that run on both backends: they exercise the kernels through backend(). kernels.test.ts calls
 * the js backend's kernels directly, so one run covers it.
 */
const KERNEL_SUITES = [
  'test/ndarray/!(kernels).test.ts',
  'test/nn/**/*.test.ts',
  'test/models/**/*.test.ts',
  'test/modules/**/*.test.ts',
  'test/optim/**/*.test.ts',
  'test/solver/**/*.test.ts',
  'test/features/**/*.test.ts',
  'test/backend/selection.test.ts',
  'test/backend/optimizerStep.test.ts',
];
const ALL = ['test/**/*.test.ts'];

/**
 * Backend-independent suites that run in the test process alone (no child process, no browser, no module
 * mock): they share one worker process, like the kernel passes (see `isolate` below). idxBomb.test.ts mocks
 * fflate, so it keeps a process of its own.
 */
const IN_PROCESS_SUITES = [
  'test/autograd/**/*.test.ts',
  'test/data/!(idxBomb).test.ts',
  'test/ui/{bind,live,server,staticFiles,sweeps}.test.ts',
  'test/web/{trainer,preprocess}.test.ts',
  'test/backend/{attentionKernels,wasmConv,wasmElementwise,wasmGemm,wasmHeap,wasmLayers,wasmNorm,wasmThreads}.test.ts',
  'test/ndarray/kernels.test.ts',
  'test/architecture/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/cli/{errors,progress,sweepSearch}.test.ts',
];

/**
 * The suites run a third time on the plain-SIMD wasm build (NABLA_WASM_BUILD=simd), the fallback of
 * browsers and runtimes without relaxed SIMD: the kernels against the js ones, and the layers' gradients.
 */
const SIMD_SUITES = ['test/backend/**/*.test.ts', 'test/nn/**/*.test.ts'];
/**
 * Not in the plain-SIMD pass: these check the committed binaries and choose each build themselves (child
 * processes with NABLA_WASM_BUILD set per check, switchBuild in process), so the forced build adds nothing.
 */
const BUILD_SUITES = ['test/backend/wasmBuild.test.ts', 'test/backend/wasmBuilds.test.ts'];

/**
 * `isolate`: false for the kernel passes. Their files run in-process (no child process, no browser), and
 * starting a fresh worker and importing src/ for each of ~100 small files cost more than the tests (about
 * 1 s per file: 140 s for the three passes on 2 cores; 44 s without). The few files that change the
 * backend, thread count or build put them back in afterAll.
 */
const project = (
  name: string,
  include: string[],
  env: Record<string, string>,
  exclude: string[] = [],
  isolate = true,
) =>
  ({
    extends: true,
    test: { name, include, exclude: ['**/node_modules/**', ...exclude], env, isolate },
  }) satisfies TestProjectInlineConfiguration;

const chosen = process.env.NABLA_BACKEND;

/**
 * Not a budget: no test may depend on the machine's speed (tests wait on events: a page's state, a process's
 * output or exit), so the only timeout is this guard against a hang, far beyond any test on a busy machine.
 */
const HANG_GUARD = 20 * 60_000;

export default defineConfig({
  test: {
    testTimeout: HANG_GUARD,
    hookTimeout: HANG_GUARD,
    pool: 'forks',
    // Three files at once on 2 cores (vitest's default there is one): the command's end-to-end files spend
    // much of their time waiting (a queue's stall interval, a server that does not answer, Chromium, a
    // signal's checkpoint), and another file's work fills that time. 2 -> 3 workers: 408 s -> 302 s for
    // the whole run together with the kernel passes' isolate: false (load 1.3 -> 5.3).
    maxWorkers: Math.max(3, availableParallelism() + 1),
    projects: chosen
      ? [project(chosen, ALL, { NABLA_BACKEND: chosen })]
      : [
          // Vitest queues projects by name: 'any' (the default backend) first, so its long files (the
          // command's end-to-end runs, the browser suites) start at once and the short in-process and
          // kernel suites fill the other workers around them.
          project('any', ALL, {}, [...KERNEL_SUITES, ...IN_PROCESS_SUITES]),
          project('any-in-process', IN_PROCESS_SUITES, {}, [], false),
          project('js', KERNEL_SUITES, { NABLA_BACKEND: 'js' }, [], false),
          project('wasm', KERNEL_SUITES, { NABLA_BACKEND: 'wasm' }, [], false),
          project(
            'wasm-simd',
            SIMD_SUITES,
            { NABLA_BACKEND: 'wasm', NABLA_WASM_BUILD: 'simd' },
            BUILD_SUITES,
            false,
          ),
        ],
  },
});
