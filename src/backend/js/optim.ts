/**
 * Fused optimizer updates for the TypeScript backend (see OptimizerStepArgs): per element, the chain of ops
 * src/optim/optim.ts defines, each intermediate rounded to the parameters' dtype where the chain stores it.
 */
import type { OptimizerStepArgs } from '../backend.js';

const exact = (x: number): number => x;

export function optimizerStep(g: OptimizerStepArgs): void {
  const { n, w, dw, learningRate: lr } = g;
  const R = w instanceof Float32Array ? Math.fround : exact;
  let iw = g.wOffset;
  let ig = g.dwOffset;
  let im = g.mOffset;
  let iv = g.vOffset;
  if (g.rule === 'sgd') {
    for (let i = 0; i < n; i++, iw++, ig++) w[iw] = w[iw] - R(dw[ig] * lr);
  } else if (g.rule === 'sgdMomentum') {
    const m = g.m!;
    const mom = g.momentum;
    for (let i = 0; i < n; i++, iw++, ig++, im++) {
      const s0 = R(dw[ig] * lr);
      const vv = R(R(m[im] * mom) - s0);
      m[im] = vv;
      w[iw] = w[iw] + vv;
    }
  } else {
    const m = g.m!;
    const v = g.v!;
    const { beta1, beta2, epsilon, t } = g;
    const [b, d, e, f] = [1 - beta1, 1 - beta2, 1 - beta2 ** t, 1 - beta1 ** t];
    for (let i = 0; i < n; i++, iw++, ig++, im++, iv++) {
      const x = dw[ig];
      const mm = R(R(m[im] * beta1) + R(x * b));
      const vv = R(R(v[iv] * beta2) + R(R(x * x) * d));
      const den = R(R(Math.sqrt(R(vv / e))) + epsilon);
      const st = R(R(R(mm / f) * lr) / den);
      m[im] = mm;
      v[iv] = vv;
      w[iw] = w[iw] - st;
    }
  }
}
