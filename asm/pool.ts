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
  if (ph == 2 && pw == 2 && stride == 2 && (H & 1) == 0 && (W & 1) == 0) {
    maxPool2x2T<T>(x, planes, H, W, out, argmax);
    return;
  }
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

/**
 * 2×2 max pooling, stride 2, of `planes` (H, W) planes: the common case, unrolled (same results and argmax
 * as maxPoolForwardT: the first maximum in window order, NaN winning).
 */
function maxPool2x2T<T>(x: usize, planes: i32, H: i32, W: i32, out: usize, argmax: usize): void {
  const S = <usize>sizeof<T>();
  const Ho = H >> 1;
  const Wo = W >> 1;
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = x + <usize>(p * H * W) * S;
    for (let y = 0; y < Ho; y++) {
      const r0 = 2 * y * W;
      const row0 = base + <usize>r0 * S;
      const row1 = row0 + <usize>W * S;
      let xo = 0;
      if (sizeof<T>() == 4) {
        // Four windows at once: the same comparisons as below, lane by lane, as select masks.
        const idx0 = i32x4(0, 2, 4, 6);
        const one = i32x4.splat(1);
        const down = i32x4.splat(W);
        for (; xo + 4 <= Wo; xo += 4) {
          const q = <usize>(2 * xo) * S;
          const a0 = v128.load(row0 + q);
          const a1 = v128.load(row0 + q, 16);
          const b0 = v128.load(row1 + q);
          const b1 = v128.load(row1 + q, 16);
          const first = i32x4.add(i32x4.splat(r0 + 2 * xo), idx0);
          let m = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
          let best = first;
          let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
          let take = v128.or(f32x4.gt(v, m), v128.andnot(f32x4.ne(v, v), f32x4.ne(m, m)));
          m = v128.bitselect(v, m, take);
          best = v128.bitselect(i32x4.add(first, one), best, take);
          v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          take = v128.or(f32x4.gt(v, m), v128.andnot(f32x4.ne(v, v), f32x4.ne(m, m)));
          m = v128.bitselect(v, m, take);
          best = v128.bitselect(i32x4.add(first, down), best, take);
          v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          take = v128.or(f32x4.gt(v, m), v128.andnot(f32x4.ne(v, v), f32x4.ne(m, m)));
          m = v128.bitselect(v, m, take);
          best = v128.bitselect(i32x4.add(i32x4.add(first, down), one), best, take);
          v128.store(out + o * S, m);
          v128.store(argmax + o * 4, best);
          o += 4;
        }
      }
      for (; xo < Wo; xo++) {
        const q = <usize>(2 * xo) * S;
        let m = load<T>(row0 + q);
        let best = r0 + 2 * xo;
        let v = load<T>(row0 + q + S);
        if (v > m || (v != v && m == m)) {
          m = v;
          best = r0 + 2 * xo + 1;
        }
        v = load<T>(row1 + q);
        if (v > m || (v != v && m == m)) {
          m = v;
          best = r0 + W + 2 * xo;
        }
        v = load<T>(row1 + q + S);
        if (v > m || (v != v && m == m)) {
          m = v;
          best = r0 + W + 2 * xo + 1;
        }
        store<T>(out + o * S, m);
        store<i32>(argmax + o * 4, best);
        o++;
      }
    }
  }
}

/** maxPoolForwardT on elements of `size` bytes (4: f32, 8: f64). */
export function maxPoolForward(
  size: i32,
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
  if (size == 4) maxPoolForwardT<f32>(x, planes, H, W, ph, pw, stride, Ho, Wo, out, argmax);
  else maxPoolForwardT<f64>(x, planes, H, W, ph, pw, stride, Ho, Wo, out, argmax);
}

/** maxPoolBackwardT on elements of `size` bytes (4: f32, 8: f64). */
export function maxPoolBackward(
  size: i32,
  dout: usize,
  argmax: usize,
  planes: i32,
  HW: i32,
  HoWo: i32,
  dx: usize,
): void {
  if (size == 4) maxPoolBackwardT<f32>(dout, argmax, planes, HW, HoWo, dx);
  else maxPoolBackwardT<f64>(dout, argmax, planes, HW, HoWo, dx);
}
