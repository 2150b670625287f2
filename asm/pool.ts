/**
 * Max pooling (see MaxPoolArgs in src/backend/backend.ts), f32 and f64: the forward records, per output,
 * the index within its input plane of the first maximum (NaN propagates: the first NaN wins, as numpy's
 * max); the backward scatters dout at those indices. Pointers are byte addresses; argmax is i32.
 */

export function maxPoolForwardT<T>(
  x: usize,
  planes: i32,
  H: i32,
  W: i32,
  ph: i32,
  pw: i32,
  stride: i32,
  Ho: i32,
  Wo: i32,
  out: usize,
  argmax: usize,
): void {
  const S = <usize>sizeof<T>();
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = x + <usize>(p * H * W) * S;
    for (let y = 0; y < Ho; y++) {
      for (let xo = 0; xo < Wo; xo++) {
        const y0 = y * stride;
        const x0 = xo * stride;
        let best = y0 * W + x0;
        let m = load<T>(base + <usize>best * S);
        for (let i = 0; i < ph; i++) {
          const row = (y0 + i) * W + x0;
          for (let j = 0; j < pw; j++) {
            const v = load<T>(base + <usize>(row + j) * S);
            if (v > m || (v != v && m == m)) {
              m = v;
              best = row + j;
            }
          }
        }
        store<T>(out + o * S, m);
        store<i32>(argmax + o * 4, best);
        o++;
      }
    }
  }
}

function maxPoolBackwardT<T>(dout: usize, argmax: usize, planes: i32, HW: i32, HoWo: i32, dx: usize): void {
  const S = <usize>sizeof<T>();
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = dx + <usize>(p * HW) * S;
    for (let k = 0; k < HoWo; k++) {
      const q = base + <usize>load<i32>(argmax + o * 4) * S;
      store<T>(q, load<T>(q) + load<T>(dout + o * S));
      o++;
    }
  }
}

export function maxPoolForward32(
  x: usize,
  planes: i32,
  H: i32,
  W: i32,
  ph: i32,
  pw: i32,
  stride: i32,
  Ho: i32,
  Wo: i32,
  out: usize,
  argmax: usize,
): void {
  maxPoolForwardT<f32>(x, planes, H, W, ph, pw, stride, Ho, Wo, out, argmax);
}

export function maxPoolForward64(
  x: usize,
  planes: i32,
  H: i32,
  W: i32,
  ph: i32,
  pw: i32,
  stride: i32,
  Ho: i32,
  Wo: i32,
  out: usize,
  argmax: usize,
): void {
  maxPoolForwardT<f64>(x, planes, H, W, ph, pw, stride, Ho, Wo, out, argmax);
}

export function maxPoolBackward32(
  dout: usize,
  argmax: usize,
  planes: i32,
  HW: i32,
  HoWo: i32,
  dx: usize,
): void {
  maxPoolBackwardT<f32>(dout, argmax, planes, HW, HoWo, dx);
}

export function maxPoolBackward64(
  dout: usize,
  argmax: usize,
  planes: i32,
  HW: i32,
  HoWo: i32,
  dx: usize,
): void {
  maxPoolBackwardT<f64>(dout, argmax, planes, HW, HoWo, dx);
}
