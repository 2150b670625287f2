/** Data: loaders (CIFAR-10, image folders, IDX/MNIST), the data-set registry, the decoded-data cache, image I/O, preprocessing. */
export * from './cifar10.js';
export {
  loadImageFolder,
  type ImageFolderOptions,
  type ImageFolderData,
  type ImageSplit,
  type LoadProgress,
} from './imageFolder.js';
export { dataCacheDir, sourceChecksum, sha256File } from './cache.js';
export { imageFormat, decodeImage, type DecodedImage, type ImageFormat } from './decode.js';
export * from './image.js';
export * from './idx.js';
export * from './preprocess.js';
export * from './batches.js';
export * from './augment.js';
export * from './download.js';
export * from './registry.js';
export * from './coco.js';
export * from './mnistCaptions.js';
export * from './captionDataset.js';
