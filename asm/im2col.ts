/**
 * im2col and col2im on one image (see Im2colArgs in src/backend/backend.ts), f32 and f64.
 *
 * Row (c, i, j) of cols walks the output positions (y, x) in order, so for each output row y it is a
 * strided read of input row y·stride + i − pad. The range of x whose input column lies inside the image
 * is computed once per (i, j); inside it, stride 1 is a memory.copy (im2col) or a SIMD add (col2im).
 * Pointers are byte addresses.
 */

function lowX(j: i32, pad: i32, stride: i32): i32 {
  const d = pad - j;
  return d <= 0 ? 0 : (d + stride - 1) / stride;
}

function highX(j: i32, pad: i32, stride: i32, W: i32, Wo: i32): i32 {
  const d = W - 1 + pad - j;
  return d < 0 ? 0 : min(Wo, d / stride + 1);
}

export function im2colT<T>(
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  HH: i32,
  WW: i32,
  stride: i32,
  pad: i32,
  Ho: i32,
  Wo: i32,
  cols: usize,
): void {
  const S = <usize>sizeof<T>();
  let r = cols;
  const rowBytes = <usize>(Ho * Wo) * S;
  for (let c = 0; c < C; c++) {
    const plane = x + <usize>(c * H * W) * S;
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++) {
        im2colRowT<T>(plane, H, W, i, j, stride, pad, Ho, Wo, r);
        r += rowBytes;
      }
    }
  }
}

/**
 * dst[0:n] = 0, n bytes (a multiple of 4). Rows here are tens of bytes, where memory.fill's call costs
 * more than the stores themselves.
 */
function zeroBytes(dst: usize, n: usize): void {
  const z = i32x4.splat(0);
  let k: usize = 0;
  for (; k + 16 <= n; k += 16) v128.store(dst + k, z);
  for (; k < n; k += 4) store<u32>(dst + k, 0);
}

/** dst[0:n] = src[0:n], n bytes (a multiple of 4), not overlapping; short rows, as zeroBytes. */
function copyBytes(dst: usize, src: usize, n: usize): void {
  let k: usize = 0;
  for (; k + 16 <= n; k += 16) v128.store(dst + k, v128.load(src + k));
  for (; k < n; k += 4) store<u32>(dst + k, load<u32>(src + k));
}

/** Row (i, j) of one channel's block of cols: the Ho·Wo input pixels under window offset (i, j). */
export function im2colRowT<T>(
  plane: usize,
  H: i32,
  W: i32,
  i: i32,
  j: i32,
  stride: i32,
  pad: i32,
  Ho: i32,
  Wo: i32,
  dst: usize,
): void {
  const S = <usize>sizeof<T>();
  const rowBytes = <usize>Wo * S;
  const lo = lowX(j, pad, stride);
  const hi = max(lo, highX(j, pad, stride, W, Wo));
  const shift = j - pad;
  let r = dst;
  for (let y = 0; y < Ho; y++) {
    const iy = y * stride + i - pad;
    if (iy < 0 || iy >= H) {
      zeroBytes(r, rowBytes);
    } else {
      if (lo > 0) zeroBytes(r, <usize>lo * S);
      const src = plane + <usize>(iy * W + shift) * S;
      if (stride == 1) {
        copyBytes(r + <usize>lo * S, src + <usize>lo * S, <usize>(hi - lo) * S);
      } else {
        for (let xo = lo; xo < hi; xo++) {
          store<T>(r + <usize>xo * S, load<T>(src + <usize>(xo * stride) * S));
        }
      }
      if (hi < Wo) zeroBytes(r + <usize>hi * S, <usize>(Wo - hi) * S);
    }
    r += rowBytes;
  }
}

/** dst[0:n] += src[0:n]. */
function addInto<T>(dst: usize, src: usize, n: i32): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>();
  let k = 0;
  for (; k + L <= n; k += L) {
    const d = dst + <usize>k * S;
    const s = v128.load(src + <usize>k * S);
    v128.store(d, v128.add<T>(v128.load(d), s));
  }
  for (; k < n; k++) {
    const d = dst + <usize>k * S;
    store<T>(d, load<T>(d) + load<T>(src + <usize>k * S));
  }
}

export function col2imT<T>(
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  HH: i32,
  WW: i32,
  stride: i32,
  pad: i32,
  Ho: i32,
  Wo: i32,
  cols: usize,
): void {
  const S = <usize>sizeof<T>();
  let r = cols;
  const rowBytes = <usize>Wo * S;
  for (let c = 0; c < C; c++) {
    const plane = x + <usize>(c * H * W) * S;
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++) {
        const lo = lowX(j, pad, stride);
        const hi = max(lo, highX(j, pad, stride, W, Wo));
        const shift = j - pad;
        for (let y = 0; y < Ho; y++) {
          const iy = y * stride + i - pad;
          if (iy >= 0 && iy < H) {
            const dst = plane + <usize>(iy * W + shift) * S;
            if (stride == 1) {
              addInto<T>(dst + <usize>lo * S, r + <usize>lo * S, hi - lo);
            } else {
              for (let xo = lo; xo < hi; xo++) {
                const q = dst + <usize>(xo * stride) * S;
                store<T>(q, load<T>(q) + load<T>(r + <usize>xo * S));
              }
            }
          }
          r += rowBytes;
        }
      }
    }
  }
}

/** im2col of one image, elements of `size` bytes (4: f32, 8: f64). */
export function im2col(
  size: i32,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  HH: i32,
  WW: i32,
  stride: i32,
  pad: i32,
  Ho: i32,
  Wo: i32,
  cols: usize,
): void {
  if (size == 4) im2colT<f32>(x, C, H, W, HH, WW, stride, pad, Ho, Wo, cols);
  else im2colT<f64>(x, C, H, W, HH, WW, stride, pad, Ho, Wo, cols);
}

/** col2im of one image (adds into x), elements of `size` bytes (4: f32, 8: f64). */
export function col2im(
  size: i32,
  x: usize,
  C: i32,
  H: i32,
  W: i32,
  HH: i32,
  WW: i32,
  stride: i32,
  pad: i32,
  Ho: i32,
  Wo: i32,
  cols: usize,
): void {
  if (size == 4) col2imT<f32>(x, C, H, W, HH, WW, stride, pad, Ho, Wo, cols);
  else col2imT<f64>(x, C, H, W, HH, WW, stride, pad, Ho, Wo, cols);
}
