/**
 * Figures copied from the team's ../shared/bench/RESULTS.md (measured 2026-11-24 on this machine kind: 2 cores,
 * AMD Zen 5, Node 20) and the targets of issue 7. NOT measured by this bench: printed for reference only, and
 * labelled so in every table.
 */

/** numpy (CS231n-style code, 2 threads) and PyTorch 1.13 (2 threads, tuned malloc), by task id. */
export const referenceFigures: Record<string, { numpy: number; pytorch: number }> = {
  fc2: { numpy: 75_439, pytorch: 131_084 },
  fc5bn: { numpy: 52_662, pytorch: 51_905 },
  cnn3: { numpy: 397, pytorch: 3_309 },
  'cnn3-infer': { numpy: 1_606, pytorch: 6_339 },
  'mnist-cnn': { numpy: 1_560, pytorch: 13_192 },
  'gemm-sq1024': { numpy: 327, pytorch: 339 },
  'gemm-fc200': { numpy: 284, pytorch: 161 },
};

/** The JavaScript peers' figures in RESULTS.md, to compare this run's peer numbers with. */
export const resultsPeers: Record<string, Record<string, number>> = {
  fc2: { 'tfjs-wasm': 1_290, 'tfjs-cpu': 678, convnetjs: 751, 'brain.js': 332 },
  fc5bn: { 'tfjs-wasm': 1_152, 'tfjs-cpu': 433 },
  cnn3: { 'tfjs-wasm': 226, 'tfjs-cpu': 0.99, convnetjs: 28.7 },
  'cnn3-infer': { 'tfjs-wasm': 2_704, 'tfjs-cpu': 75.3, convnetjs: 75.9 },
  'mnist-cnn': { 'tfjs-wasm': 1_312, 'tfjs-cpu': 9.48, convnetjs: 118 },
  'gemm-sq1024': { 'tfjs-wasm': 30.5, 'tfjs-cpu': 0.85 },
  'gemm-fc200': { 'tfjs-wasm': 32.4, 'tfjs-cpu': 1.31 },
};

/**
 * Issue 7's numpy bars, as the issue states them (cnn3 "2x numpy (393 img/s)", mnist-cnn "1x (1,842 img/s)");
 * RESULTS.md's table has 397 and 1,560 for the same runs of numpy. We hold nabla to the issue's numbers.
 */
export const issueNumpyBars = { cnn3: 393, 'mnist-cnn': 1_842 };
