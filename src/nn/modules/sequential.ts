/**
 * Sequential: modules applied one after another; backward runs them in reverse. A Conv2d followed by ReLU
 * and MaxPool2d runs as one fused backend call (conv → ReLU → max pool, the same values without the conv
 * output ever becoming an array), forward and backward.
 */
import type { NDArray } from '../../ndarray/ndarray.js';
import { Conv2d, MaxPool2d, ReLU } from './layers.js';
import { Module } from './module.js';

export class Sequential extends Module {
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

  forward(x: NDArray): NDArray {
    const fused: number[] = [];
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const m = this.layers[i];
      const pool = this.layers[i + 2];
      const relu = this.layers[i + 1];
      if (m instanceof Conv2d && relu instanceof ReLU && pool instanceof MaxPool2d) {
        h = m.forwardReluPool(h, pool);
        // Their backward by hand would otherwise read an older forward's cache; now it says to run forward.
        relu.clearCache();
        pool.clearCache();
        fused.push(i);
        i += 2;
      } else {
        h = m.forward(h);
      }
    }
    this.fusedAt = fused;
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
