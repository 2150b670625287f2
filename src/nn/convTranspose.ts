/**
 * The transposed convolution ("deconvolution", a GAN generator's upsampling): the adjoint of a convolution
 * with respect to its input. Where conv(y, w) with stride s and pad p maps (N, C_out, H', W') to
 * (N, C_in, H, W), convTranspose(x, w) maps (N, C_in, H, W) back to (N, C_out, H', W'), with
 * H' = (H − 1)·s − 2·p + HH. So its forward is a convolution's dx (a GEMM and col2im per image), and its
 * backward is the convolution's forward and weight gradient with the roles swapped:
 *   dx = conv(dout, w)            (convForwardFast)
 *   dw = the dw of conv(dout, ·) at output gradient x   (convBackwardFast without dx)
 * w is (C_in, C_out, HH, WW), as PyTorch's ConvTranspose2d weight.
 */
import { backend } from '../backend/index.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { allocArray, type NDArray } from '../ndarray/ndarray.js';
import { zeros } from '../ndarray/creation.js';
import { convBackwardFast, convForwardFast } from './conv.js';
import { asContiguous, checkConvOperands, checkDout, convDtype, type ConvParam } from './convNaive.js';
import { fail, fmtShape } from './util.js';

/** convTransposeForward's cache: x (N, C, H, W), w (C, F, HH, WW), b (F,), convParam. */
export type ConvTransposeCache = [x: NDArray, w: NDArray, b: NDArray, convParam: ConvParam];

/** Checks the operands and derives the output size H' = (H − 1)·stride − 2·pad + HH (and W'). */
function dims(layer: string, x: NDArray, w: NDArray, b: NDArray, convParam: ConvParam) {
  const { N, C, H, W, F, HH, WW, stride, pad } = checkConvOperands(layer, x, w, b, convParam, true);
  const Ho = (H - 1) * stride - 2 * pad + HH;
  const Wo = (W - 1) * stride - 2 * pad + WW;
  if (Ho < 1 || Wo < 1)
    fail(
      layer,
      `pad ${pad} leaves no output for x of shape ${fmtShape(x.shape)}, w of shape ${fmtShape(w.shape)}`,
    );
  return { N, C, H, W, F, HH, WW, stride, pad, Ho, Wo };
}

/**
 * Transposed convolution forward.
 * - x: (N, C_in, H, W); w: (C_in, C_out, HH, WW); b: (C_out,); convParam: { stride = 1, pad = 0 }
 * Returns [out (N, C_out, H', W'), cache].
 */
export function convTransposeForward(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
): [NDArray, ConvTransposeCache] {
  const layer = 'convTransposeForward';
  const { N, C, H, W, F, HH, WW, stride, pad, Ho, Wo } = dims(layer, x, w, b, convParam);
  const dtype = convDtype(x, w);
  const [xc, wc] = asContiguous(dtype, x, w);
  const out = allocArray([N, F, Ho, Wo], dtype, layer);
  const K = F * HH * WW;
  const cols = allocArray([K, H * W], dtype, layer);
  const be = backend();
  for (let n = 0; n < N; n++) {
    // cols (K, H·W) = wᵀ (K, C) · x[n] (C, H·W), then each column added back into its window of out[n].
    be.gemm({
      transA: true,
      transB: false,
      M: K,
      N: H * W,
      K: C,
      alpha: 1,
      A: wc.data as FloatArray,
      aOffset: wc.offset,
      lda: K,
      B: xc.data as FloatArray,
      bOffset: xc.offset + n * C * H * W,
      ldb: H * W,
      beta: 0,
      C: cols.data as FloatArray,
      cOffset: 0,
      ldc: H * W,
    });
    be.col2im({
      x: out.data as FloatArray,
      xOffset: n * F * Ho * Wo,
      C: F,
      H: Ho,
      W: Wo,
      HH,
      WW,
      stride,
      pad,
      Ho: H,
      Wo: W,
      cols: cols.data as FloatArray,
      colsOffset: 0,
    });
  }
  out.addInPlace(b.reshape(1, F, 1, 1));
  return [out, [x, w, b, convParam]];
}

/**
 * Transposed convolution backward.
 * - dout: (N, C_out, H', W'); cache from convTransposeForward; computeDx false skips dx (null)
 * Returns [dx (N, C_in, H, W), dw (C_in, C_out, HH, WW), db (C_out,)].
 */
export function convTransposeBackward(
  dout: NDArray,
  cache: ConvTransposeCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray] {
  const [x, w, b, convParam] = cache;
  const d = dims('convTransposeBackward', x, w, b, convParam);
  checkDout('convTransposeBackward', dout, [d.N, d.F, d.Ho, d.Wo]);
  const noBias = zeros([d.C], convDtype(x, w));
  const dx = computeDx ? convForwardFast(dout, w, noBias, convParam)[0] : null;
  const [, dw] = convBackwardFast(x, [dout, w, noBias, convParam], false);
  return [dx, dw, dout.sum([0, 2, 3])];
}
