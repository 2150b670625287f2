/**
 * `nabla gradcheck --model <m>`: the course's gradient check as a command. Builds a tiny float64 instance of
 * the model (a few 8x8 images, 5 classes, small layers), computes the analytic gradient of the loss with
 * regularisation, and compares it with centred differences, parameter by parameter:
 * rel. error = max |analytic − numeric| / max(1e-8, |analytic| + |numeric|). Status 1 if any exceeds the tolerance.
 */
import type { Model } from '../../models/model.js';
import { Generator } from '../../ndarray/random.js';
import { NDArray } from '../../ndarray/ndarray.js';
import { checkModelGradients } from '../../nn/gradientCheck.js';
import { Dropout } from '../../nn/modules/index.js';
import { Classifier } from '../../models/classifier.js';
import type { Module } from '../../nn/modules/module.js';
import type { ModelSpec } from '../choices.js';
import { UsageError } from '../errors.js';
import { buildModel, DEFAULT_CNN_LAYERS, layersConfig, type ModelConfig } from '../../models/registry.js';

export interface GradcheckFlags {
  model: ModelSpec;
  reg: number;
  seed: number;
  tolerance: number;
}

/** The tiny instance of each model: its config and input shape. */
function tinyInstance(spec: ModelSpec, reg: number): { config: ModelConfig; inputShape: number[] } {
  if (spec.kind === 'file') return { config: layersConfig(spec.path, reg), inputShape: [1, 8, 8] };
  switch (spec.name) {
    case 'knn':
      throw new UsageError('gradcheck: knn has no gradient (it is not trained by gradient descent)');
    case 'caption-rnn':
    case 'caption-lstm':
      throw new UsageError(
        `gradcheck: ${spec.name} takes features and captions, not images; its gradients are checked in test/models/captioningRnn.test.ts`,
      );
    case 'caption-transformer':
      throw new UsageError(
        `gradcheck: ${spec.name} takes features and captions, not images; its gradients are autograd's, checked op by op in test/autograd`,
      );
    case 'gan':
    case 'lsgan':
    case 'dcgan':
      throw new UsageError(
        `gradcheck: ${spec.name} is two nets with two losses; its losses' gradients are checked in test/models/gan.test.ts`,
      );
    case 'simclr':
      throw new UsageError(
        `gradcheck: simclr's loss compares two random views of each image; its gradients are checked in test/models/simclr.test.ts`,
      );
    case 'svm':
    case 'softmax':
      return { config: { name: spec.name, options: { reg } }, inputShape: [12] };
    case 'two-layer':
      return {
        config: { name: 'two-layer', options: { hiddenDim: 7, reg, weightScale: 1e-1 } },
        inputShape: [12],
      };
    case 'fc':
      return {
        config: {
          name: 'fc',
          options: {
            hiddenDims: [9, 7],
            reg,
            weightScale: 1e-1,
            normalization: 'layernorm',
            dropoutKeepRatio: 0.75,
          },
        },
        inputShape: [12],
      };
    case 'cnn3':
      return {
        config: {
          name: 'cnn3',
          options: { numFilters: 3, filterSize: 3, hiddenDim: 7, reg, weightScale: 1e-1 },
        },
        inputShape: [2, 8, 8],
      };
    case 'cnn':
      // The default CNN's layers with 3 filters per conv and 7 hidden units (the numeric check costs two losses per weight).
      return {
        config: {
          name: 'layers',
          options: { reg },
          layers: DEFAULT_CNN_LAYERS.map((l) =>
            l.type === 'conv'
              ? { ...l, filters: 3 }
              : l.type === 'linear' && l.out !== 'classes'
                ? { ...l, out: 7 }
                : l,
          ),
        },
        inputShape: [1, 8, 8],
      };
  }
}

/** Dropout must draw the same mask on every call of a numeric check: fix it by a seed, as the course does. */
function fixDropout(model: Model): void {
  const walk = (m: Module): void => {
    if (m instanceof Dropout) (m as unknown as { dropoutParam: { seed?: number } }).dropoutParam.seed = 123;
    for (const [, c] of m.children()) walk(c);
  };
  if (model instanceof Classifier) walk(model.net);
  const dp = (model as { dropoutParam?: { seed?: number } | null }).dropoutParam;
  if (dp) dp.seed = 123;
}

export async function gradcheckCommand(flags: GradcheckFlags): Promise<void> {
  const numClasses = 5;
  const n = 4;
  const { config, inputShape } = tinyInstance(flags.model, flags.reg);
  const model = buildModel(config, { inputShape, numClasses, dtype: 'float64', seed: flags.seed });
  fixDropout(model);
  const rng = new Generator(flags.seed + 7);
  const X: NDArray = rng.randn(n, ...inputShape);
  const y: NDArray = rng.randint(0, numClasses, [n]).astype('int32');
  const { loss, params, worst } = checkModelGradients(model, [X, y]);
  const label = flags.model.kind === 'file' ? flags.model.path : flags.model.name;
  console.log(
    `gradcheck ${label}: float64, ${n} inputs of (${inputShape.join(', ')}), ${numClasses} classes, reg ${flags.reg}; loss ${loss.toFixed(6)}`,
  );
  const w = Math.max(9, ...params.map((p) => p.name.length));
  console.log(`${'parameter'.padEnd(w)}  ${'shape'.padEnd(16)}  rel. error`);
  for (const p of params) {
    const shape = ('(' + p.shape.join(', ') + ')').padEnd(16);
    if (p.independent) {
      console.log(
        `${p.name.padEnd(w)}  ${shape}  zero      ok (the loss does not depend on it: |grad| < 1e-8)`,
      );
      continue;
    }
    const ok = p.relError <= flags.tolerance ? 'ok' : 'FAIL';
    console.log(`${p.name.padEnd(w)}  ${shape}  ${p.relError.toExponential(2)}  ${ok}`);
  }
  const pass = worst <= flags.tolerance;
  console.log(
    pass
      ? `all ${params.length} parameters within ${flags.tolerance} (worst ${worst.toExponential(2)})`
      : `worst relative error ${worst.toExponential(2)} exceeds ${flags.tolerance}`,
  );
  if (!pass) process.exitCode = 1;
}
