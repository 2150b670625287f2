/**
 * Weight initialisation that keeps activations' variance steady through depth.
 * - Kaiming (He et al. 2015), for ReLU nets: N(0, 2 / fanIn).
 * - Xavier (Glorot & Bengio 2010), for tanh/linear nets: N(0, 2 / (fanIn + fanOut)), or uniform with the same variance.
 * - PyTorch's default (`reset_parameters` of nn.Linear, nn.Conv2d, ...: kaiming_uniform_ with a = √5), U(±1/√fanIn),
 *   for code ported from PyTorch that relies on it (the course's GANs do for their biases and the DC
 *   discriminator's convolutions).
 * fanIn of a Linear (D, M) weight is D; of a Conv2d (F, C, k, k) weight, C·k·k (fanOut F·k·k).
 */
import type { DType } from '../../ndarray/dtype.js';
import { zeros } from '../../ndarray/creation.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { Generator } from '../../ndarray/random.js';

/** Weight initialisations: Kaiming (He) normal, Xavier normal, Xavier uniform, PyTorch's default. */
export type InitName = 'kaiming' | 'xavier' | 'xavierUniform' | 'torchDefault';

/** Bias initialisations: zeros (the course's numpy layers) or PyTorch's default U(±1/√fanIn). */
export type BiasInitName = 'zeros' | 'torchDefault';

/** Gaussian with standard deviation gain / √fanIn (gain √2 for ReLU). */
export function kaimingNormal(
  rng: Generator,
  shape: number[],
  fanIn: number,
  dtype: DType = 'float32',
  gain = Math.SQRT2,
): NDArray {
  return rng.normal(0, gain / Math.sqrt(fanIn), shape, dtype);
}

/** The Xavier initialisers' signature: weights of `shape` for a layer of fanIn inputs and fanOut outputs. */
export type XavierInit = (
  rng: Generator,
  shape: number[],
  fanIn: number,
  fanOut: number,
  dtype?: DType,
) => NDArray;

/** Gaussian with variance 2 / (fanIn + fanOut). */
export const xavierNormal: XavierInit = (rng, shape, fanIn, fanOut, dtype = 'float32') =>
  rng.normal(0, Math.sqrt(2 / (fanIn + fanOut)), shape, dtype);

/** Uniform on ±√(6 / (fanIn + fanOut)): the same variance as xavierNormal. */
export const xavierUniform: XavierInit = (rng, shape, fanIn, fanOut, dtype = 'float32') => {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return rng.uniform(-a, a, shape, dtype);
};

/** U(±1/√fanIn): PyTorch's default for weights (kaiming_uniform_, a = √5) and biases alike. */
export function torchDefault(
  rng: Generator,
  shape: number[],
  fanIn: number,
  dtype: DType = 'float32',
): NDArray {
  const a = 1 / Math.sqrt(fanIn);
  return rng.uniform(-a, a, shape, dtype);
}

/** Initial weights by name. */
export function initWeight(
  init: InitName,
  rng: Generator,
  shape: number[],
  fanIn: number,
  fanOut: number,
  dtype: DType,
): NDArray {
  if (init === 'kaiming') return kaimingNormal(rng, shape, fanIn, dtype);
  if (init === 'xavier') return xavierNormal(rng, shape, fanIn, fanOut, dtype);
  if (init === 'xavierUniform') return xavierUniform(rng, shape, fanIn, fanOut, dtype);
  if (init === 'torchDefault') return torchDefault(rng, shape, fanIn, dtype);
  throw new RangeError(
    `initWeight: unknown init '${init as string}' (kaiming, xavier, xavierUniform, torchDefault)`,
  );
}

/** Initial bias of `size` by name; `op` names the layer in the error of an unknown name. */
export function initBias(
  biasInit: BiasInitName,
  rng: Generator,
  size: number,
  fanIn: number,
  dtype: DType,
  op: string,
): NDArray {
  checkBiasInit(biasInit, op);
  return biasInit === 'zeros' ? zeros([size], dtype) : torchDefault(rng, [size], fanIn, dtype);
}

/** Refuses a bias initialisation name that is not one of BiasInitName's. */
export function checkBiasInit(biasInit: BiasInitName, op: string): void {
  if (biasInit !== 'zeros' && biasInit !== 'torchDefault')
    throw new RangeError(`${op}: unknown biasInit '${biasInit as string}' (zeros, torchDefault)`);
}
