/** Classifiers (CS231n's classifiers/): kNN, linear classifiers, the two-layer net, the FC net, the conv net. */
export * from './kNearestNeighbor.js';
export * from './crossValidation.js';
export * from './linearSvm.js';
export * from './softmax.js';
export * from './linearClassifier.js';
export { accuracy } from './util.js';
export * from './model.js';
export * from './twoLayerNet.js';
export * from './fullyConnectedNet.js';
export * from './cnn.js';
export * from './classifier.js';
export * from './linearModel.js';
export * from './registry.js';
export * from './captions.js';
export * from './captioningRnn.js';
export * from './bleu.js';
export * from './tensorModel.js';
export * from './captioningTransformer.js';
