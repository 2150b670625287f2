/**
 * `npm test` runs every suite once, and the suites whose results depend on the backend's kernels a second
 * time: once per backend (wasm, js). The rest test code above the kernels (the command, the dashboard, data
 * files, the web pages, the wasm kernels against the js ones directly) and gain nothing from a second pass.
 *
 * With NABLA_BACKEND set (`NABLA_BACKEND=js npx vitest run test/nn`), every selected file runs once on that
 * backend, as before the split.
 */
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** The suites that run on both backends: they exercise the kernels through backend(). */
const KERNEL_SUITES = [
  'test/ndarray/**/*.test.ts',
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

const project = (name: string, include: string[], env: Record<string, string>, exclude: string[] = []) =>
  ({
    extends: true,
    test: { name, include, exclude: ['**/node_modules/**', ...exclude], env },
  }) satisfies TestProjectInlineConfiguration;

const chosen = process.env.NABLA_BACKEND;

export default defineConfig({
  test: {
    testTimeout: 120_000,
    pool: 'forks',
    projects: chosen
      ? [project(chosen, ALL, { NABLA_BACKEND: chosen })]
      : [
          project('wasm', KERNEL_SUITES, { NABLA_BACKEND: 'wasm' }),
          project('js', KERNEL_SUITES, { NABLA_BACKEND: 'js' }),
          project('once', ALL, {}, KERNEL_SUITES),
        ],
  },
});
