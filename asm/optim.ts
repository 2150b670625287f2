/**
 * Optimizer updates in one pass (see OptimizerStepArgs in src/backend/backend.ts), f32 and f64: each is the
 * chain of elementwise ops src/optim/optim.ts would otherwise run, element by element with every
 * intermediate rounded to T exactly where the chain stores it (scalars in f64, as the TypeScript backend
 * applies them), so the result is the chain's bit for bit, without its dozen passes over memory.
 * Pointers are byte addresses.
 */
import { ld2, st2 } from './norm';

const SGD = 0;
const MOMENTUM = 1;
// 2: adam (the remaining case).

function optimizerStepT<T>(
  rule: i32,
  n: i32,
  w: usize,
  dw: usize,
  m: usize,
  v: usize,
  a: f64,
  b: f64,
  c: f64,
  d: f64,
  e: f64,
  f: f64,
  lr: f64,
  eps: f64,
): void {
  const S = <usize>sizeof<T>();
  for (let i = 0; i < n; i++) {
    const q = <usize>i * S;
    const g = <f64>load<T>(dw + q);
    if (rule == SGD) {
      // step = lr·dw; w −= step
      const s0 = <f64>(<T>(g * lr));
      store<T>(w + q, <T>(<f64>load<T>(w + q) - s0));
    } else if (rule == MOMENTUM) {
      // step = lr·dw; v = momentum·v; v −= step; w += v   (a = momentum)
      const s0 = <f64>(<T>(g * lr));
      let vv = <f64>(<T>(<f64>load<T>(m + q) * a));
      vv = <f64>(<T>(vv - s0));
      store<T>(m + q, <T>vv);
      store<T>(w + q, <T>(<f64>load<T>(w + q) + vv));
    } else {
      // a = β1, b = 1 − β1, c = β2, d = 1 − β2, e = 1 − β2^t, f = 1 − β1^t, in optim.ts's order of operations.
      let mm = <f64>(<T>(<f64>load<T>(m + q) * a));
      mm = <f64>(<T>(mm + <f64>(<T>(g * b))));
      let vv = <f64>(<T>(<f64>load<T>(v + q) * c));
      const g2 = <f64>(<T>(g * g));
      vv = <f64>(<T>(vv + <f64>(<T>(g2 * d))));
      let den = <f64>(<T>(vv / e));
      den = <f64>(<T>Math.sqrt(den));
      den = <f64>(<T>(den + eps));
      let st = <f64>(<T>(mm / f));
      st = <f64>(<T>(st * lr));
      st = <f64>(<T>(st / den));
      store<T>(m + q, <T>mm);
      store<T>(v + q, <T>vv);
      store<T>(w + q, <T>(<f64>load<T>(w + q) - st));
    }
  }
}

/** x rounded to f32 and back: the scalar path's <f64>(<f32>x), two lanes at once. */
function r32(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

/**
 * optimizerStepT<f32> on elements [0, n & ~1), two per iteration in f64x2 lanes: the same IEEE operations
 * and f32 roundings in the same order, so the same bits, with half the divisions and square roots issued
 * (they bound Adam's scalar loop).
 */
function optimizerStep32x2(
  rule: i32,
  n: i32,
  w: usize,
  dw: usize,
  m: usize,
  v: usize,
  a: f64,
  b: f64,
  c: f64,
  d: f64,
  e: f64,
  f: f64,
  lr: f64,
  eps: f64,
): void {
  const A = f64x2.splat(a);
  const B = f64x2.splat(b);
  const Cc = f64x2.splat(c);
  const D = f64x2.splat(d);
  const E = f64x2.splat(e);
  const Fv = f64x2.splat(f);
  const LR = f64x2.splat(lr);
  const EPS = f64x2.splat(eps);
  const end = <usize>(n & ~1) * 4;
  for (let q: usize = 0; q < end; q += 8) {
    const g = ld2<f32>(dw + q);
    if (rule == SGD) {
      const s0 = r32(f64x2.mul(g, LR));
      st2<f32>(w + q, f64x2.sub(ld2<f32>(w + q), s0));
    } else if (rule == MOMENTUM) {
      const s0 = r32(f64x2.mul(g, LR));
      let vv = r32(f64x2.mul(ld2<f32>(m + q), A));
      vv = r32(f64x2.sub(vv, s0));
      st2<f32>(m + q, vv);
      st2<f32>(w + q, f64x2.add(ld2<f32>(w + q), vv));
    } else {
      let mm = r32(f64x2.mul(ld2<f32>(m + q), A));
      mm = r32(f64x2.add(mm, r32(f64x2.mul(g, B))));
      let vv = r32(f64x2.mul(ld2<f32>(v + q), Cc));
      const g2 = r32(f64x2.mul(g, g));
      vv = r32(f64x2.add(vv, r32(f64x2.mul(g2, D))));
      let den = r32(f64x2.div(vv, E));
      den = r32(f64x2.sqrt(den));
      den = r32(f64x2.add(den, EPS));
      let st = r32(f64x2.div(mm, Fv));
      st = r32(f64x2.mul(st, LR));
      st = r32(f64x2.div(st, den));
      st2<f32>(m + q, mm);
      st2<f32>(v + q, vv);
      st2<f32>(w + q, f64x2.sub(ld2<f32>(w + q), st));
    }
  }
}

/**
 * One optimizer step over n parameters of `size` bytes (4: f32, 8: f64); float32 runs two elements per
 * iteration, then the odd one out.
 */
export function optimizerStep(
  size: i32,
  rule: i32,
  n: i32,
  w: usize,
  dw: usize,
  m: usize,
  v: usize,
  a: f64,
  b: f64,
  c: f64,
  d: f64,
  e: f64,
  f: f64,
  lr: f64,
  epsilon: f64,
): void {
  if (size == 8) {
    optimizerStepT<f64>(rule, n, w, dw, m, v, a, b, c, d, e, f, lr, epsilon);
    return;
  }
  optimizerStep32x2(rule, n, w, dw, m, v, a, b, c, d, e, f, lr, epsilon);
  const h = n & ~1;
  const o = <usize>h * 4;
  optimizerStepT<f32>(rule, n - h, w + o, dw + o, m + o, v + o, a, b, c, d, e, f, lr, epsilon);
}
