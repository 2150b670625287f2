/**
 * The browser demo's training run (web/trainer.ts), in Node: the spiral's geometry, MNIST's byte layout,
 * seeded repeatability and that training fits the spiral.
 */
import { describe, expect, it } from 'vitest';
import { TrainingRun, demoCnn, mnistData, softmaxRow, spiralData } from '../../web/demo/trainer.js';
import { DEFAULTS, LEARNING_RATES } from '../../web/demo/protocol.js';

describe('spiralData', () => {
  const { XTrain, yTrain, XVal } = spiralData(0);
  const xy = XTrain.toTypedArray();
  const labels = Array.from(yTrain.toTypedArray());

  it('has 3 arms of 100 points in [-1, 1]², labelled by arm', () => {
    expect(XTrain.shape).toEqual([300, 2]);
    expect(XTrain.dtype).toBe('float32');
    expect(yTrain.dtype).toBe('int32');
    expect(labels).toEqual([...Array(300)].map((_, k) => Math.floor(k / 100)));
    expect(XVal).toBe(XTrain);
  });

  it("puts point i of each arm at radius i/99 (CS231n's linspace(0, 1, N)) with noisy angles", () => {
    for (let k = 0; k < 300; k++) {
      const r = Math.hypot(xy[2 * k], xy[2 * k + 1]);
      expect(r).toBeCloseTo((k % 100) / 99, 6);
    }
    // Without noise, the outer end of arm j is at angle 4(j + 1); the noise (σ = 0.2) keeps it near.
    for (let j = 0; j < 3; j++) {
      const k = j * 100 + 99;
      const t = Math.atan2(xy[2 * k], xy[2 * k + 1]); // X = (r sin t, r cos t)
      const t0 = 4 * (j + 1);
      const d = Math.abs(Math.atan2(Math.sin(t - t0), Math.cos(t - t0))); // angular distance
      expect(d).toBeLessThan(1);
    }
  });

  it('is the same for the same seed and different for another', () => {
    expect(Array.from(spiralData(0).XTrain.toTypedArray())).toEqual(Array.from(xy));
    expect(Array.from(spiralData(1).XTrain.toTypedArray())).not.toEqual(Array.from(xy));
  });
});

describe('mnistData', () => {
  it('reads train images, train labels, test images, test labels, scaling pixels to [0, 1]', () => {
    const px = 784;
    const bytes = new Uint8Array(3 * (px + 1));
    bytes[0] = 255; // train image 0, pixel 0
    bytes[px + 5] = 51; // train image 1, pixel 5
    bytes[2 * px] = 7; // train labels
    bytes[2 * px + 1] = 3;
    bytes[2 * px + 2 + 783] = 102; // test image 0, last pixel
    bytes[3 * px + 2] = 9; // test label
    const d = mnistData(bytes, 2, 1);
    expect(d.XTrain.shape).toEqual([2, 1, 28, 28]);
    expect(d.XVal.shape).toEqual([1, 1, 28, 28]);
    expect(d.XTrain.get(0, 0, 0, 0).item()).toBe(1);
    expect(d.XTrain.get(1, 0, 0, 5).item()).toBeCloseTo(0.2, 6);
    expect(d.XTrain.sum().item()).toBeCloseTo(1.2, 5);
    expect(d.XVal.get(0, 0, 27, 27).item()).toBeCloseTo(0.4, 6);
    expect(Array.from(d.yTrain.toTypedArray())).toEqual([7, 3]);
    expect(Array.from(d.yVal.toTypedArray())).toEqual([9]);
    expect(d.numClasses).toBe(10);
  });

  it('names the sizes when the bytes do not match them', () => {
    expect(() => mnistData(new Uint8Array(100), 2, 1)).toThrow(
      'mnistData: 100 bytes do not hold 2 + 1 images and labels',
    );
  });
});

describe('TrainingRun', () => {
  const losses = (run: TrainingRun, n: number) => [...Array(n)].map(() => run.step());

  it('starts at ln 3 on the spiral and repeats its losses exactly for the same seed', () => {
    const a = losses(new TrainingRun(DEFAULTS.spiral, spiralData(0)), 10);
    const b = losses(new TrainingRun(DEFAULTS.spiral, spiralData(0)), 10);
    const c = losses(new TrainingRun({ ...DEFAULTS.spiral, seed: 1 }, spiralData(1)), 10);
    // Weights of scale 1e-2 give scores near 0: uniform softmax, loss ln C (plus a tiny L2 term).
    expect(a[0]).toBeCloseTo(Math.log(3), 3);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('fits the spiral: loss below 0.35 and accuracy above 90% after 150 full-batch steps', () => {
    const run = new TrainingRun(DEFAULTS.spiral, spiralData(0));
    const l = losses(run, 150);
    expect(run.iteration).toBe(150);
    expect(l[149]).toBeLessThan(0.35);
    expect(run.accuracy(run.data.XVal, run.data.yVal)).toBeGreaterThan(0.9);
    const b = run.boundary(16);
    expect(b.length).toBe(256);
    expect(new Set(b)).toEqual(new Set([0, 1, 2]));
  });

  it('draws minibatches in a seeded order (MNIST-sized batches on the spiral)', () => {
    const cfg = { ...DEFAULTS.spiral, batchSize: 50, updateRule: 'sgd' as const, learningRate: 0.1 };
    const a = losses(new TrainingRun(cfg, spiralData(0)), 8);
    const b = losses(new TrainingRun(cfg, spiralData(0)), 8);
    expect(b).toEqual(a);
    // Batches of 50 differ from each other, so their losses differ step to step beyond the slow descent.
    expect(new Set(a.map((v) => v.toFixed(6))).size).toBe(8);
  });

  it("trains the spiral with every update rule at the page's suggested learning rate", () => {
    for (const [rule, learningRate] of Object.entries(LEARNING_RATES.spiral)) {
      const cfg = { ...DEFAULTS.spiral, updateRule: rule as 'sgd', learningRate };
      const l = losses(new TrainingRun(cfg, spiralData(0)), 100);
      expect(l.every(Number.isFinite), rule).toBe(true);
      expect(l[99], rule).toBeLessThan(0.75); // from ln 3 ≈ 1.10
    }
  });

  it('rejects an unknown update rule by name', () => {
    expect(
      () => new TrainingRun({ ...DEFAULTS.spiral, updateRule: 'nesterov' as 'sgd' }, spiralData(0)),
    ).toThrow("TrainingRun: unknown update rule 'nesterov'");
  });
});

describe('the demo CNN and its inspection', () => {
  // 20 training and 4 test "images" of deterministic pixels; labels cycle through 0..9.
  const bytes = new Uint8Array(24 * 785);
  for (let i = 0; i < 24 * 784; i++) bytes[i < 20 * 784 ? i : i + 20] = (i * 37) % 256;
  for (let i = 0; i < 20; i++) bytes[20 * 784 + i] = i % 10;
  for (let i = 0; i < 4; i++) bytes[20 * 785 + 4 * 784 + i] = i;
  const data = mnistData(bytes, 20, 4);

  it('is conv 5×5 ×8 → ReLU → pool → conv 5×5 ×16 → ReLU → pool → flatten → linear 784 → 10', () => {
    const net = demoCnn([1, 28, 28], 10, 0);
    const shapes = Object.fromEntries(Object.entries(net.params).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      '0.weight': [8, 1, 5, 5],
      '0.bias': [8],
      '3.weight': [16, 8, 5, 5],
      '3.bias': [16],
      '7.weight': [784, 10],
      '7.bias': [10],
    });
    expect(() => demoCnn([1, 30, 30], 10, 0)).toThrow(
      'demoCnn: two 2×2 pools need H and W divisible by 4, got 1×30×30',
    );
  });

  it("inspects an image: the net's probabilities, both conv layers' ReLU maps, the first layer's filters", () => {
    const run = new TrainingRun(DEFAULTS.mnist, data);
    for (let i = 0; i < 3; i++) run.step();
    const image = data.XVal.slice('1').toTypedArray() as Float32Array;
    const r = run.inspect(image);
    // The probabilities are the softmax of the scores the model gives the same image.
    const scores = Array.from(run.model.loss(data.XVal.slice('1:2')).toTypedArray());
    expect(Array.from(r.probs)).toEqual(Array.from(softmaxRow(scores)));
    expect(r.probs.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    expect(r.maps.map((m) => [m.name, m.channels, m.height, m.width, m.data.length])).toEqual([
      ['conv1', 8, 28, 28, 8 * 784],
      ['conv2', 16, 14, 14, 16 * 196],
    ]);
    expect(r.maps.every((m) => m.data.every((v) => v >= 0))).toBe(true); // after ReLU
    expect(r.maps[0].data.some((v) => v > 0)).toBe(true);
    expect(r.filters?.name).toBe('filters');
    expect(Array.from(r.filters!.data)).toEqual(Array.from(run.model.params['0.weight'].toTypedArray()));
    expect(run.model.loss(data.XVal).shape).toEqual([4, 10]); // inspecting left the net usable
  });

  it("shows the two-layer net's first 16 hidden units as 28×28 templates", () => {
    const run = new TrainingRun({ ...DEFAULTS.mnist, model: 'twoLayerNet' }, data);
    const r = run.inspect(data.XVal.slice('0').toTypedArray() as Float32Array);
    expect(r.maps).toEqual([]);
    expect([r.filters?.channels, r.filters?.height, r.filters?.width]).toEqual([16, 28, 28]);
    // Template k is column k of W1 (784, hidden).
    const W1 = run.model.params.W1;
    expect(r.filters!.data[5 * 784 + 100]).toBe(W1.get(100, 5).item());
  });

  it('softmaxRow is stable for large scores', () => {
    const p = softmaxRow([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
  });
});
