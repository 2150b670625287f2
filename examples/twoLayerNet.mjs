// The two-layer net (affine - ReLU - affine - softmax) trained by the Solver with SGD and learning-rate decay
// (CS231n assignment 1, two_layer_net.ipynb). Run: node examples/twoLayerNet.mjs [numTrain]   (default 10000)
import { Solver, TwoLayerNet, loadMnist, trainValSplit } from 'nabla';

const numTrain = Number(process.argv[2] ?? 10000);
const numVal = Math.max(10, Math.floor(numTrain / 10));

const mnist = loadMnist({ flatten: true, normalize: true });
const data = trainValSplit(
  mnist.XTrain.slice(`0:${numTrain + numVal}`),
  mnist.yTrain.slice(`0:${numTrain + numVal}`),
  { numVal, seed: 0 },
);

const model = new TwoLayerNet({
  inputDim: 784,
  hiddenDim: 100,
  numClasses: 10,
  weightScale: 1e-2,
  reg: 1e-4,
  seed: 0,
});
const solver = new Solver(model, data, {
  updateRule: 'sgd',
  optimConfig: { learningRate: 0.3 },
  lrDecay: 0.95,
  numEpochs: 3,
  batchSize: 100,
  printEvery: 50,
  verbose: true,
});
solver.train();
console.log(`best validation accuracy: ${solver.bestValAcc.toFixed(4)}`);
const XTest = mnist.XTest.slice(`0:${numVal}`);
const yTest = mnist.yTest.slice(`0:${numVal}`);
console.log(`test accuracy: ${solver.checkAccuracy(XTest, yTest).toFixed(4)}`);
