/**
 * Optimizer updates in one pass (see OptimizerStepArgs in src/backend/backend.ts), f32 and f64: each is the
 * chain of elementwise ops src/optim/optim.ts would otherwise run, element by element with every
 * intermediate rounded to T exactly where the chain stores it (scalars in f64, as the TypeScript backend
 * applies them), so the result is the chain's bit for bit, without its dozen passes over memory.
 * Pointers are byte addresses.
 */

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

export function optimizerStep32(
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
  optimizerStepT<f32>(rule, n, w, dw, m, v, a, b, c, d, e, f, lr, epsilon);
}

export function optimizerStep64(
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
  optimizerStepT<f64>(rule, n, w, dw, m, v, a, b, c, d, e, f, lr, epsilon);
}
