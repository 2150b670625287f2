/**
 * Layer benchmarks (issue 3): the fast conv and max pool at the course's CNN shape, (50, 3, 32, 32)
 * with 32 7×7 filters, pad 3, as GFLOP/s beside the backend's own GEMM rate measured in this run;
 * the speed-up of each fast layer over its naive twin; batchnormBackwardAlt vs batchnormBackward.
 */
import { backend } from '../src/backend/index.js';
import { Generator, type NDArray } from '../src/ndarray/index.js';
import * as nn from '../src/nn/index.js';
import { table, timeit } from './timing.js';

const ms = (s: number) => (s * 1e3).toFixed(s < 0.01 ? 2 : 1);
const gflops = (flops: number, s: number) => (flops / s / 1e9).toFixed(2);

export default async function layersBench(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const opts = quick ? { warmupMs: 100, minMs: 200, repeats: 1 } : { warmupMs: 300, minMs: 1000, repeats: 3 };
  const slow = { warmupMs: 0, minMs: 0, repeats: quick ? 1 : 3 };
  const g = new Generator(0);
  const dtype = 'float32';
  const [N, C, H, W, F, HH] = [50, 3, 32, 32, 32, 7];
  const x = g.randn(N, C, H, W).astype(dtype);
  const w = g.randn(F, C, HH, HH).mul(0.01).astype(dtype);
  const b = g.randn(F).astype(dtype);
  const convParam = { stride: 1, pad: 3 };
  const P = H * W;
  const K = C * HH * HH;
  const convFlops = 2 * N * F * P * K; // one forward; the backward is twice that (dw and dx)

  console.log(`## Layers (issue 3)\n`);
  console.log(
    `Backend \`${backend().name}\`, ${dtype}; conv on x (50, 3, 32, 32), w (32, 3, 7, 7), pad 3, stride 1.\n`,
  );

  // The backend's GEMM: square, and the conv forward's own shape (F × K) · (K × P).
  const gemmRows: (string | number)[][] = [];
  let gemmRate = 0;
  for (const [m, k, n, label] of [
    [512, 512, 512, 'square 512'],
    [F, K, P, `conv-shaped ${F}×${K}·${K}×${P}`],
  ] as const) {
    const A = g.randn(m, k).astype(dtype);
    const B = g.randn(k, n).astype(dtype);
    const t = timeit(() => A.matmul(B), opts);
    const rate = (2 * m * n * k) / t.seconds / 1e9;
    if (gemmRate === 0) gemmRate = rate;
    gemmRows.push([`GEMM ${label}`, ms(t.seconds), rate.toFixed(2), '']);
  }

  const [out, cache] = nn.convForwardFast(x, w, b, convParam);
  const dout = g.randn(out.shape).astype(dtype);
  const tf = timeit(() => nn.convForwardFast(x, w, b, convParam), opts);
  const tb = timeit(() => nn.convBackwardFast(dout, cache), opts);
  const tfb = tf.seconds + tb.seconds;
  const rows = [
    ...gemmRows,
    ['convForwardFast', ms(tf.seconds), gflops(convFlops, tf.seconds), ''],
    ['convBackwardFast', ms(tb.seconds), gflops(2 * convFlops, tb.seconds), ''],
    [
      '**conv forward + backward**',
      ms(tfb),
      gflops(3 * convFlops, tfb),
      `${((3 * convFlops) / tfb / 1e9 / gemmRate).toFixed(2)}× GEMM`,
    ],
  ];
  const pool = { poolHeight: 2, poolWidth: 2, stride: 2 };
  const [pout, pcache] = nn.maxPoolForwardFast(out, pool);
  const tpf = timeit(() => nn.maxPoolForwardFast(out, pool), opts);
  const tpb = timeit(() => nn.maxPoolBackwardFast(pout, pcache), opts);
  // Pooling does no multiply-adds: report it per element of input read (one compare each).
  rows.push([
    'maxPoolFast 2×2 on (50, 32, 32, 32), forward + backward',
    ms(tpf.seconds + tpb.seconds),
    `${(out.size / (tpf.seconds + tpb.seconds) / 1e9).toFixed(2)} Gelem/s`,
    '',
  ]);
  console.log(table(['operation', 'ms', 'GFLOP/s', 'vs GEMM'], rows));

  // Fast vs naive twins, on the same inputs (the naive conv runs once per sample: it is slow).
  const speed: (string | number)[][] = [];
  const pair = (name: string, fast: () => unknown, naive: () => unknown, naiveOpts = opts) => {
    const a = timeit(fast, opts).seconds;
    const c = timeit(naive, naiveOpts).seconds;
    speed.push([name, ms(c), ms(a), `${(c / a).toFixed(1)}×`]);
  };
  const xs = x.slice('0:10');
  const [os, cs] = nn.convForwardNaive(xs, w, b, convParam);
  const ds = dout.slice('0:10');
  pair(
    'conv forward, N = 10',
    () => nn.convForwardFast(xs, w, b, convParam),
    () => nn.convForwardNaive(xs, w, b, convParam),
    slow,
  );
  pair(
    'conv backward, N = 10',
    () => nn.convBackwardFast(ds, cs),
    () => nn.convBackwardNaive(ds, cs),
    slow,
  );
  void os;
  const [, pc] = nn.maxPoolForwardNaive(out, pool);
  pair(
    'max pool 2×2 forward',
    () => nn.maxPoolForwardFast(out, pool),
    () => nn.maxPoolForwardNaive(out, pool),
  );
  pair(
    'max pool 2×2 backward',
    () => nn.maxPoolBackwardFast(pout, pcache),
    () => nn.maxPoolBackwardNaive(pout, pc),
  );
  const pool3 = { poolHeight: 3, poolWidth: 3, stride: 2 };
  const x3 = out.slice(':', ':', '0:31', '0:31');
  pair(
    'max pool 3×3 stride 2 forward',
    () => nn.maxPoolForwardFast(x3, pool3),
    () => nn.maxPoolForwardNaive(x3, pool3),
  );
  console.log(`\nFast layers vs their naive twins (${dtype}, conv shapes as above):\n`);
  console.log(table(['layer', 'naive ms', 'fast ms', 'speed-up'], speed));

  // Batchnorm backward: graph vs closed form, on an FC-sized and a conv-sized input.
  const bnRows: (string | number)[][] = [];
  for (const [label, xb, spatial] of [
    ['batchnorm (100, 1024)', g.randn(100, 1024).astype(dtype), false],
    ['spatial batchnorm (50, 32, 32, 32)', out, true],
  ] as [string, NDArray, boolean][]) {
    const D = xb.shape[1];
    const gamma = g.randn(D).astype(dtype);
    const beta = g.randn(D).astype(dtype);
    const fwd = spatial ? nn.spatialBatchnormForward : nn.batchnormForward;
    const [o, c] = fwd(xb, gamma, beta, { mode: 'train' });
    const tForward = timeit(() => fwd(xb, gamma, beta, { mode: 'train' }), opts).seconds;
    const tGraph = timeit(() => nn.batchnormBackward(o, c), opts).seconds;
    const tAlt = timeit(() => nn.batchnormBackwardAlt(o, c), opts).seconds;
    bnRows.push([label, ms(tForward), ms(tGraph), ms(tAlt), `${(tGraph / tAlt).toFixed(2)}×`]);
  }
  console.log(`\nbatchnormBackwardAlt (closed form) vs batchnormBackward (through the graph):\n`);
  console.log(
    table(['input', 'forward ms', 'backward (graph) ms', 'backward (alt) ms', 'alt speed-up'], bnRows),
  );

  // The rest of the CNN's layers, for a sense of where a training step goes.
  const misc: (string | number)[][] = [];
  const xa = g.randn(N, 8192).astype(dtype);
  const wa = g.randn(8192, 100).mul(0.01).astype(dtype);
  const ba = g.randn(100).astype(dtype);
  const [ao, ac] = nn.affineForward(xa, wa, ba);
  const taf = timeit(() => nn.affineForward(xa, wa, ba), opts).seconds;
  const tab = timeit(() => nn.affineBackward(ao, ac), opts).seconds;
  misc.push(['affine 8192→100, N = 50, forward', ms(taf), gflops(2 * N * 8192 * 100, taf)]);
  misc.push(['affine 8192→100, N = 50, backward', ms(tab), gflops(4 * N * 8192 * 100, tab)]);
  const [ro, rc] = nn.reluForward(out);
  const trf = timeit(() => nn.reluForward(out), opts).seconds;
  const trb = timeit(() => nn.reluBackward(ro, rc), opts).seconds;
  misc.push(['relu (50, 32, 32, 32), forward + backward', ms(trf + trb), '']);
  const scores = g.randn(N, 10).astype(dtype);
  const labels = g.randint(0, 10, [N]);
  const tsm = timeit(() => nn.softmaxLoss(scores, labels), opts).seconds;
  misc.push(['softmaxLoss (50, 10)', ms(tsm), '']);
  console.log(`\nThe other layers of the course's three-layer CNN:\n`);
  console.log(table(['layer', 'ms', 'GFLOP/s'], misc));
  console.log('');
}
