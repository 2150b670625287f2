/**
 * Sequential: modules applied one after another, on NDArrays (backward runs them in reverse) or on Tensors
 * (autograd). A Conv2d followed by ReLU and MaxPool2d runs as one fused backend call (conv → ReLU → max pool,
 * the same values without the conv output ever becoming an array), forward and backward, on either path.
 * Children run through Module.call, so a tensor module among explicit ones (or the reverse) works.
 */
import type { NDArray } from '../../ndarray/ndarray.js';
import { Tensor } from '../../autograd/tensor.js';
import { Conv2d, MaxPool2d, ReLU } from './layers.js';
import { Module } from './module.js';

/** The Conv2d at i when layers i, i+1, i+2 are Conv2d, ReLU, MaxPool2d (one fused call), else null. */
function fusedAt(layers: Module[], i: number): [Conv2d, MaxPool2d] | null {
  const [m, relu, pool] = [layers[i], layers[i + 1], layers[i + 2]];
  return m instanceof Conv2d && relu instanceof ReLU && pool instanceof MaxPool2d ? [m, pool] : null;
}

/** Layers applied in order (PyTorch's nn.Sequential): forward runs them first to last, backward last to first. */
export class Sequential extends Module {
  protected override readonly takesTensors = true;
  readonly layers: Module[];
  /** Where the last forward fused Conv2d, ReLU, MaxPool2d (the Conv2d's index). */
  private fusedAt: number[] = [];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  override children(): [string, Module][] {
    return this.layers.map((m, i) => [String(i), m]);
  }

  /** Forward on arrays through every layer. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors through every layer (autograd). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return this.forwardTensor(x);
    const fused: number[] = [];
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const f = fusedAt(this.layers, i);
      if (f) {
        h = f[0].forwardReluPool(h, f[1]);
        // Their backward by hand would otherwise read an older forward's cache; now it says to run forward.
        (this.layers[i + 1] as ReLU).clearCache();
        f[1].clearCache();
        fused.push(i);
        i += 2;
      } else {
        h = this.layers[i].call(h);
      }
    }
    this.fusedAt = fused;
    return h;
  }

  private forwardTensor(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const f = fusedAt(this.layers, i);
      if (f) {
        h = f[0].forwardReluPool(h, f[1]);
        i += 2;
      } else h = this.layers[i].call(h);
    }
    return h;
  }

  backward(dout: NDArray): NDArray {
    return this.runBackward(dout, true)!;
  }

  /** backward without the input's gradient: the first module skips dx (a net's first layer). */
  override backwardParams(dout: NDArray): void {
    this.runBackward(dout, false);
  }

  private runBackward(dout: NDArray, computeDx: boolean): NDArray | null {
    let d: NDArray | null = dout;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const start = this.fusedAt.includes(i - 2) ? i - 2 : i;
      const m = this.layers[start];
      const needDx = computeDx || start > 0;
      if (start !== i) {
        d = (m as Conv2d).backwardReluPool(d!, needDx);
        i = start;
      } else if (needDx) {
        d = m.backward(d!);
      } else {
        m.backwardParams(d!);
        d = null;
      }
    }
    return d;
  }

  override toString(): string {
    return `Sequential(\n${this.layers.map((m, i) => `  (${i}): ${m.toString()}`).join('\n')}\n)`;
  }
}
