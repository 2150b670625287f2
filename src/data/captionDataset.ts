/** A caption split as the Solver's data (browser-safe: no loader behind it). */
import type { NDArray } from '../ndarray/ndarray.js';
import { gatherRows } from '../ndarray/indexing.js';
import type { Dataset } from './batches.js';
import type { CaptionSplit } from './coco.js';

/**
 * A split as the Solver's data: example i is caption i with its image's features, so a batch is
 * `[features (K, D), captions (K, T)]`, the arguments of a captioning model's loss.
 */
export class CaptionDataset implements Dataset {
  readonly length: number;

  constructor(readonly split: CaptionSplit) {
    this.length = split.captions.shape[0];
  }

  batch(indices: NDArray): NDArray[] {
    const { features, imageIdxs, captions } = this.split;
    return [gatherRows(features, gatherRows(imageIdxs, indices)), gatherRows(captions, indices)];
  }
}
