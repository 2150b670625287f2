/**
 * summary(model, inputShape): rows, output shapes and parameter counts checked against counts worked out by
 * hand from the layer formulas (the numbers torchinfo prints for the same PyTorch nets): a conv layer has
 * C_out·C_in·k·k + C_out, a linear layer in·out + out, batchnorm 2·C (gamma, beta; running statistics are
 * buffers, not parameters).
 */
import { describe, expect, it } from 'vitest';
import { summary } from '../../src/models/summary.js';
import { ThreeLayerConvNet } from '../../src/models/cnn.js';
import { TwoLayerNet } from '../../src/models/twoLayerNet.js';
import { FullyConnectedNet } from '../../src/models/fullyConnectedNet.js';
import { Classifier } from '../../src/models/classifier.js';
import { buildModel } from '../../src/models/registry.js';
import { Sequential } from '../../src/nn/modules/sequential.js';
import { Module } from '../../src/nn/modules/module.js';
import { BatchNorm2d } from '../../src/nn/modules/norm.js';
import { Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU } from '../../src/nn/modules/layers.js';
import type { NDArray } from '../../src/ndarray/ndarray.js';

/** The CS231n-style small CNN: conv-bn-relu-pool, then a classifier head in a nested Sequential. */
function smallCnn(): Sequential {
  return new Sequential(
    new Conv2d(3, 16, 3, { padding: 1 }),
    new BatchNorm2d(16),
    new ReLU(),
    new MaxPool2d(2),
    new Sequential(new Flatten(), new Dropout(0.5), new Linear(16 * 16 * 16, 10)),
  );
}

describe('summary', () => {
  it('a Sequential: one row per leaf layer (nested paths), output shapes with -1 for the batch, counts', () => {
    const s = summary(smallCnn(), [3, 32, 32]);
    expect(s.rows.map((r) => [r.name, r.outputShape, r.params])).toEqual([
      ['0', [-1, 16, 32, 32], 3 * 16 * 3 * 3 + 16],
      ['1', [-1, 16, 32, 32], 2 * 16],
      ['2', [-1, 16, 32, 32], 0],
      ['3', [-1, 16, 16, 16], 0],
      ['4.0', [-1, 4096], 0],
      ['4.1', [-1, 4096], 0],
      ['4.2', [-1, 10], 4096 * 10 + 10],
    ]);
    expect(s.rows[0].layer).toBe('Conv2d(3, 16, kernelSize=3, stride=1, padding=1)');
    expect(s.rows[6].layer).toBe('Linear(4096, 10)');
    expect(s.totalParams).toBe(448 + 32 + 40970);
    expect(s.paramBytes).toBe(41450 * 4);
    expect(s.outputShape).toEqual([-1, 10]);
    const table = s.toString();
    expect(table).toContain('Total params: 41,450');
    expect(table).toMatch(/4\.2: Linear\(4096, 10\)\s+\[-1, 10\]\s+40,970/);
    expect(table).toContain(`Params size (MB): ${((41450 * 4) / 2 ** 20).toFixed(2)}`);
  });

  it('a Classifier over a Sequential gives the same rows; the net goes back to training mode', () => {
    const net = smallCnn();
    const s = summary(new Classifier(net), [3, 32, 32]);
    expect(s.totalParams).toBe(41450);
    expect(s.rows).toHaveLength(7);
    expect(net.training).toBe(true);
    net.eval();
    summary(net, [3, 32, 32]);
    expect(net.training).toBe(false);
  });

  it("a block that is not a Sequential is one row holding its children's parameters", () => {
    class Residual extends Module {
      readonly fc = new Linear(8, 8);
      override children(): [string, Module][] {
        return [['fc', this.fc]];
      }
      forward(x: NDArray): NDArray {
        return x.add(this.fc.forward(x));
      }
      backward(dout: NDArray): NDArray {
        return dout.add(this.fc.backward(dout));
      }
    }
    const s = summary(new Sequential(new Residual(), new Linear(8, 3)), [8]);
    expect(s.rows.map((r) => r.params)).toEqual([72, 27]);
    expect(s.totalParams).toBe(99);
  });

  it("ThreeLayerConvNet with the course's defaults: 825,046 parameters, scores (N, 10)", () => {
    const s = summary(new ThreeLayerConvNet({ seed: 0 }), [3, 32, 32]);
    expect(Object.fromEntries(s.rows.map((r) => [r.name, r.params]))).toEqual({
      W1: 32 * 3 * 7 * 7,
      b1: 32,
      W2: 32 * 16 * 16 * 100,
      b2: 100,
      W3: 100 * 10,
      b3: 10,
    });
    expect(s.rows[0].layer).toBe('(32, 3, 7, 7)');
    expect(s.rows.every((r) => r.outputShape === null)).toBe(true);
    expect(s.totalParams).toBe(825046);
    expect(s.outputShape).toEqual([-1, 10]);
  });

  it("TwoLayerNet (the course's 3072-100-10: 308,310) and FullyConnectedNet with batchnorm", () => {
    expect(summary(new TwoLayerNet({ seed: 0 }), [3 * 32 * 32]).totalParams).toBe(308310);
    const fc = new FullyConnectedNet({
      hiddenDims: [100, 50],
      inputDim: 784,
      numClasses: 10,
      normalization: 'batchnorm',
      dtype: 'float64',
      seed: 0,
    });
    const s = summary(fc, [784]);
    // Affine layers plus gamma and beta for each hidden layer.
    expect(s.totalParams).toBe(784 * 100 + 100 + 100 * 50 + 50 + 50 * 10 + 10 + 2 * (100 + 50));
    expect(s.paramBytes).toBe(s.totalParams * 8);
    expect(s.rows.map((r) => r.name)).toContain('gamma1');
  });

  it("the command's default `cnn` model (a Classifier built by the registry) on MNIST's shape", () => {
    const model = buildModel(
      { name: 'cnn', options: {} },
      { inputShape: [1, 28, 28], numClasses: 10, dtype: 'float32', seed: 0 },
    );
    const s = summary(model, [1, 28, 28]);
    expect(s.outputShape).toEqual([-1, 10]);
    expect(s.rows.reduce((t, r) => t + r.params, 0)).toBe(s.totalParams);
    expect(s.totalParams).toBe(Object.values(model.params).reduce((t, a) => t + a.size, 0));
  });
});
