/**
 * SimCLR's networks and training loss at a size two cores can train: the encoder f is a small ResNet (a 3×3
 * conv stem of 32 channels, then three residual blocks of 32, 64 and 128 channels, the last two halving the
 * side, then global average pooling: 128 features), the projection head g is 128 → 128 → ReLU → 64. The
 * course uses a ResNet-50 (2048 features, head 2048 → 512 → 128); the structure is the same.
 *
 *   const net = new SimclrNet({ rng });
 *   const model = simclrModel(net, { tau: 0.5, rng });   // a TensorModel: Solver-trainable on [X] batches
 *   const feats = encodeImages(net, X);                   // (N, 128) for linear evaluation
 */
import type { FloatDType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { concatenate } from '../ndarray/manipulation.js';
import { defaultRng, type Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { noGrad, tensor, type Tensor } from '../autograd/tensor.js';
import { relu } from '../autograd/ops/elementwise.js';
import { AvgPool2d, Conv2d, Flatten, Linear, ReLU } from '../nn/modules/layers.js';
import { BatchNorm2d } from '../nn/modules/norm.js';
import { TensorModule } from '../nn/modules/module.js';
import { Sequential } from '../nn/modules/sequential.js';
import { simclrLossVectorized } from './simclr.js';
import { TensorModel } from './tensorModel.js';

interface NetOptions {
  rng?: Generator;
  dtype?: FloatDType;
}

/**
 * A basic residual block: conv, BN, ReLU, conv 3×3, BN, plus the shortcut, then ReLU. At stride 1 the first
 * conv is 3×3 and the shortcut the identity; a downsampling block (stride 2) uses a 4×4 conv with padding 1
 * and a 2×2 stride-2 conv + BN as shortcut, since nabla's convolutions (the course's) need the stride to
 * divide the padded size exactly, which ResNet's 3×3 / 1×1 pair at stride 2 does not on even sides.
 */
export class ResidualBlock extends TensorModule {
  readonly body: Sequential;
  readonly shortcut: Sequential | null;

  constructor(
    inC: number,
    outC: number,
    stride: number,
    { rng = defaultRng, dtype = 'float32' }: NetOptions = {},
  ) {
    super();
    this.body = new Sequential(
      new Conv2d(inC, outC, stride === 1 ? 3 : 4, { stride, padding: 1, rng, dtype, bias: false }),
      new BatchNorm2d(outC, { dtype }),
      new ReLU(),
      new Conv2d(outC, outC, 3, { padding: 1, rng, dtype, bias: false }),
      new BatchNorm2d(outC, { dtype }),
    );
    this.shortcut =
      stride === 1 && inC === outC
        ? null
        : new Sequential(
            new Conv2d(inC, outC, stride, { stride, rng, dtype, bias: false }),
            new BatchNorm2d(outC, { dtype }),
          );
  }

  forward(x: Tensor): Tensor {
    return relu(this.body.call(x).add(this.shortcut ? this.shortcut.call(x) : x));
  }
}

/** The encoder f and projection head g. x (N, 3, 32, 32) → projections (N, 64); `encode` gives f's (N, 128). */
export class SimclrNet extends TensorModule {
  readonly f: Sequential;
  readonly g: Sequential;

  constructor({ rng = defaultRng, dtype = 'float32' }: NetOptions = {}) {
    super();
    const o = { rng, dtype };
    this.f = new Sequential(
      new Conv2d(3, 32, 3, { padding: 1, rng, dtype, bias: false }),
      new BatchNorm2d(32, { dtype }),
      new ReLU(),
      new ResidualBlock(32, 32, 1, o),
      new ResidualBlock(32, 64, 2, o),
      new ResidualBlock(64, 128, 2, o),
      new AvgPool2d(8),
      new Flatten(),
    );
    this.g = new Sequential(new Linear(128, 128, o), new ReLU(), new Linear(128, 64, o));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3 || x.shape[2] !== 32 || x.shape[3] !== 32)
      throw new RangeError(`SimclrNet: images of shape ${fmtShape(x.shape)} are not (N, 3, 32, 32)`);
    return this.g.call(this.f.call(x));
  }
}

/**
 * SimCLR's training loss as a Solver model: each batch [X] of images (N, 3, H, W) in [0, 1] gives two views
 * by `augment` (the course's is data/simclrAugment.ts's computeTrainTransform: pass
 * `(X, rng) => computeTrainTransform(X, { rng })`; its draws come from rng, which the checkpoint saves),
 * their projections, and simclrLossVectorized at temperature tau.
 */
export function simclrModel(
  net: SimclrNet,
  {
    tau = 0.5,
    rng,
    augment,
  }: { tau?: number; rng: Generator; augment: (X: NDArray, rng: Generator) => NDArray },
): TensorModel {
  if (!(tau > 0)) throw new RangeError(`simclrModel: the temperature tau must be a number > 0, got ${tau}`);
  const view = (X: NDArray): Tensor =>
    tensor(augment(X, rng).astype(X.dtype === 'float64' ? 'float64' : 'float32'));
  return new TensorModel(net, (X) => simclrLossVectorized(net.call(view(X)), net.call(view(X)), tau), {
    rng,
  });
}

/** The encoder's features of normalised images X (N, 3, 32, 32), in eval mode, 256 at a time → (N, 128). */
export function encodeImages(net: SimclrNet, X: NDArray, batchSize = 256): NDArray {
  net.eval();
  try {
    const parts: NDArray[] = [];
    for (let s = 0; s < X.shape[0]; s += batchSize)
      parts.push(
        noGrad(() => net.f.call(tensor(X.slice(`${s}:${Math.min(X.shape[0], s + batchSize)}`)))).data,
      );
    return concatenate(parts, 0);
  } finally {
    net.train();
  }
}
