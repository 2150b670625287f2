/**
 * TensorFlow.js with its WebAssembly backend (XNNPACK, SIMD). Under Node it runs one thread.
 *
 * tfjs-backend-wasm 4.x has no Conv2DBackpropFilter kernel, so training any conv net throws. We register one,
 * built from the backend's own Conv2D, Transpose and Slice kernels:
 *   dW[kh, kw, c, f] = sum_{n, i, j} xpad[n, s i + kh, s j + kw, c] * dy[n, i, j, f]
 * is a stride-1 convolution of x^T (C, H, W, N) — channels as the batch, the batch as channels — with the
 * filter dy^T (OH, OW, N, F) dilated by the forward stride s, and the forward pass's padding; its output
 * (C, KH, KW, F) (cropped to KH × KW when the padding leaves more) is transposed to (KH, KW, C, F). Nothing is
 * copied through JavaScript. Stride 2 is what the DCGAN's transposed convolutions need for their filter gradient.
 *
 * The tuned variant ('tfjs-wasm') also replaces the stock Conv2DBackpropInput, a naive loop (about 2 GFLOP/s, the
 * largest kernel of a mnist-cnn step), by the textbook identity dx = conv2d(dy, W rotated 180° with C and F
 * swapped, padding K-1-p): again the backend's own XNNPACK Conv2D, for stride 1; other strides (the forward pass
 * of conv2dTranspose) keep the stock kernel. 'tfjs-wasm-autodiff' keeps the stock kernel everywhere.
 */
import type * as TF from '@tensorflow/tfjs-core';
import { makeTfjsPeer } from './tfjs.js';
import { wasmDir, type Tfjs } from './tfjsBundle.js';

type KernelArgs = {
  inputs: Record<string, TF.TensorInfo>;
  backend: TF.KernelBackend;
  attrs: Record<string, unknown>;
};
type KernelFn = (args: KernelArgs) => TF.TensorInfo;

function kernel(tf: Tfjs, name: string): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-wasm: kernel ${name} missing`);
  return k.kernelFunc as unknown as KernelFn;
}

/** tfjs's own description of a stride-1 conv (pads resolved); throws for other strides. */
function convInfo(
  tf: Tfjs,
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
  who: string,
  anyStride = false,
) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
  if (!anyStride && (info.strideHeight !== 1 || info.strideWidth !== 1))
    throw new Error(`${who} (bench kernel for tfjs-wasm): only stride 1 is supported`);
  return info;
}

function explicitPad(top: number, bottom: number, left: number, right: number): number[][] {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function registerConv2DBackpropFilter(tf: Tfjs): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const { x, dy } = args.inputs;
      const { backend, attrs } = args;
      const filterShape = attrs.filterShape as number[];
      const info = convInfo(tf, x.shape, filterShape, attrs, 'Conv2DBackpropFilter', true);
      const transpose = kernel(tf, 'Transpose');
      const conv2d = kernel(tf, 'Conv2D');
      const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const p = info.padInfo;
      const [kh, kw] = filterShape;
      const [sh, sw] = [info.strideHeight, info.strideWidth];
      // Bottom/right padding so that the dilated filter's last tap reaches row kh - 1 + sh (OH - 1) (never negative).
      const [bottom, right] = [
        Math.max(0, kh + sh * (info.outHeight - 1) - info.inHeight - p.top),
        Math.max(0, kw + sw * (info.outWidth - 1) - info.inWidth - p.left),
      ];
      let dwT = conv2d({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1],
          pad: explicitPad(p.top, bottom, p.left, right),
          dataFormat: 'NHWC',
          dilations: [sh, sw],
          dimRoundingMode: undefined,
        },
      });
      if (dwT.shape[1] !== kh || dwT.shape[2] !== kw) {
        const full = dwT;
        dwT = kernel(
          tf,
          'Slice',
        )({ inputs: { x: full }, backend, attrs: { begin: [0, 0, 0, 0], size: [-1, kh, kw, -1] } });
        backend.disposeData(full.dataId);
      }
      const dw = transpose({ inputs: { x: dwT }, backend, attrs: { perm: [1, 2, 0, 3] } });
      for (const t of [xT, dyT, dwT]) backend.disposeData(t.dataId);
      return dw;
    }) as unknown as TF.KernelFunc,
  });
}

/** dx = conv2d(dy, rot180(W) with in/out channels swapped, pad K-1-p), stride 1, on XNNPACK. */
function replaceConv2DBackpropInput(tf: Tfjs): void {
  const stock = kernel(tf, 'Conv2DBackpropInput');
  // The stock kernel binds its wasm function in its setupFunc, which the replacement must keep.
  const { setupFunc } = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc,
    kernelFunc: ((args: KernelArgs) => {
      const { dy, filter } = args.inputs;
      const { backend, attrs } = args;
      const strides = attrs.strides as number | [number, number];
      if (typeof strides === 'number' ? strides !== 1 : strides[0] !== 1 || strides[1] !== 1)
        return stock(args);
      const info = convInfo(tf, attrs.inputShape as number[], filter.shape, attrs, 'Conv2DBackpropInput');
      const [kh, kw] = filter.shape;
      const reversed = kernel(tf, 'Reverse')({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
      const flipped = kernel(
        tf,
        'Transpose',
      )({ inputs: { x: reversed }, backend, attrs: { perm: [0, 1, 3, 2] } });
      const p = info.padInfo;
      const dx = kernel(
        tf,
        'Conv2D',
      )({
        inputs: { x: dy, filter: flipped },
        backend,
        attrs: {
          strides: [1, 1],
          pad: explicitPad(kh - 1 - p.top, kh - 1 - p.bottom, kw - 1 - p.left, kw - 1 - p.right),
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
        },
      });
      for (const t of [reversed, flipped]) backend.disposeData(t.dataId);
      return dx;
    }) as unknown as TF.KernelFunc,
  });
}

/**
 * tfjs-backend-wasm 4.x has no UnsortedSegmentSum, the gradient of gather (so of tf.layers.embedding): stock
 * tfjs-wasm cannot train an embedding. This one sums rows of x into their segments in JavaScript on the wasm
 * heap (as tfjs-backend-cpu's kernel does).
 */
function registerUnsortedSegmentSum(tf: Tfjs): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const { x, segmentIds } = args.inputs;
      const be = args.backend as unknown as {
        makeOutput(shape: number[], dtype: string): TF.TensorInfo;
        typedArrayFromHeap(t: TF.TensorInfo): Float32Array | Int32Array;
      };
      const numSegments = args.attrs.numSegments as number;
      const row = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const out = be.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
      const o = be.typedArrayFromHeap(out);
      o.fill(0);
      const xv = be.typedArrayFromHeap(x);
      const ids = be.typedArrayFromHeap(segmentIds);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0; j < row; j++) o[s * row + j] += xv[i * row + j];
      }
      return out;
    }) as unknown as TF.KernelFunc,
  });
}

const filterNote =
  'Conv2DBackpropFilter registered by this bench (tfjs-wasm Conv2D on transposed inputs, dilated by the stride)';
const segmentNote =
  'UnsortedSegmentSum (embedding gradient; missing in tfjs-wasm) registered by this bench (a JS loop on the wasm heap)';

/**
 * The tuned user: affine gradients with explicit transposes so every matMul takes XNNPACK (see tfjs.ts), and
 * both conv gradients as XNNPACK convolutions.
 */
export default makeTfjsPeer('wasm', 'tfjs-wasm', {
  explicitTransposes: true,
  beforeSetBackend(tf) {
    tf.setWasmPaths(wasmDir());
    registerConv2DBackpropFilter(tf);
    registerUnsortedSegmentSum(tf);
    replaceConv2DBackpropInput(tf);
    return `${filterNote}; ${segmentNote}; Conv2DBackpropInput replaced by Conv2D on the rotated filter (stride 1; the stock kernel otherwise)`;
  },
});

/** What plain autodiff gives a tfjs-wasm user who has not profiled: transposed matMuls in a naive loop. */
export const autodiff = makeTfjsPeer('wasm', 'tfjs-wasm (plain autodiff)', {
  explicitTransposes: false,
  beforeSetBackend(tf) {
    tf.setWasmPaths(wasmDir());
    registerConv2DBackpropFilter(tf);
    registerUnsortedSegmentSum(tf);
    return `${filterNote}; ${segmentNote}`;
  },
});
