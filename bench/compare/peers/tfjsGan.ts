/**
 * The DCGAN workload in TensorFlow.js, as its users write it: the course's buildDcClassifier and
 * buildDcGenerator as tf.sequential models of tfjs-layers (conv2d, leakyReLU, maxPooling2d, dense,
 * batchNormalization, reshape, conv2dTranspose), applied eagerly with { training: true } inside
 * `optimizer.minimize` restricted to each net's trainable weights, tf.losses.sigmoidCrossEntropy, one Adam
 * (lr 1e-3, betas 0.5, 0.999) per net. Channels-last, so the generator reshapes to (7, 7, 128) and its
 * transposed convolutions are 4×4, stride 2, padding 'same' (PyTorch's padding 1 at these sizes: 7 → 14 → 28).
 * tfjs's own initialisation (glorotUniform), as nabla's side uses its own.
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { Outcome } from '../peer.js';
import { ganPool, spec } from '../workloads.js';
import type { Tfjs } from './tfjsBundle.js';

type Tensor = TF.Tensor;

export function tfjsDcgan(tf: Tfjs): Outcome {
  const w = spec.workloads.dcgan;
  const L = tf.tfl.layers;
  const leaky = () => L.leakyReLU({ alpha: 0.01 });
  const D = tf.tfl.sequential({
    layers: [
      L.reshape({ targetShape: [28, 28, 1], inputShape: [784] }),
      L.conv2d({ filters: 32, kernelSize: 5 }),
      leaky(),
      L.maxPooling2d({ poolSize: 2, strides: 2 }),
      L.conv2d({ filters: 64, kernelSize: 5 }),
      leaky(),
      L.maxPooling2d({ poolSize: 2, strides: 2 }),
      L.flatten(),
      L.dense({ units: 4 * 4 * 64 }),
      leaky(),
      L.dense({ units: 1 }),
    ],
  });
  const up = (filters: number) => L.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same' });
  const G = tf.tfl.sequential({
    layers: [
      L.dense({ units: 1024, activation: 'relu', inputShape: [w.noise_dim] }),
      L.batchNormalization(),
      L.dense({ units: 7 * 7 * 128, activation: 'relu' }),
      L.batchNormalization(),
      L.reshape({ targetShape: [7, 7, 128] }),
      up(64),
      L.activation({ activation: 'relu' }),
      L.batchNormalization(),
      up(1),
      L.activation({ activation: 'tanh' }),
      L.flatten(),
    ],
  });
  const o = w.optimizer;
  const [optD, optG] = [0, 1].map(() => tf.train.adam(o.lr, o.beta1, o.beta2, o.eps));
  const vars = (m: typeof D) => m.trainableWeights.map((v) => v.read() as TF.Variable);
  const [dVars, gVars] = [vars(D), vars(G)];
  const N = w.batch;
  const xs = ganPool().map((x) => tf.tensor2d(x, [N, 784]));
  const [ones, zeros] = [tf.ones([N, 1]), tf.zeros([N, 1])];
  const bce = (labels: Tensor, logits: Tensor) => tf.losses.sigmoidCrossEntropy(labels, logits);
  const training = { training: true };
  const noise = () => tf.randomUniform([N, w.noise_dim], -1, 1);
  let i = 0;
  return {
    unitsPerStep: N,
    note: 'tf.sequential of tfjs-layers (conv2dTranspose 4×4 s2 same), apply(x, { training: true }) in optimizer.minimize per net, sigmoidCrossEntropy',
    step: (want) => {
      const real = xs[i++ % xs.length];
      // The discriminator's update on real and (detached) generated images.
      const fake = tf.tidy(() => G.apply(noise(), training) as Tensor);
      const dCost = optD.minimize(
        () =>
          tf.add(
            bce(ones, D.apply(real, training) as Tensor),
            bce(zeros, D.apply(fake, training) as Tensor),
          ) as TF.Scalar,
        want,
        dVars,
      );
      fake.dispose();
      // The generator's update through the updated discriminator.
      const gCost = optG.minimize(
        () => bce(ones, D.apply(G.apply(noise(), training), training) as Tensor) as TF.Scalar,
        false,
        gVars,
      );
      gCost?.dispose();
      if (!dCost) return undefined;
      const v = dCost.dataSync()[0];
      dCost.dispose();
      return v;
    },
  };
}
