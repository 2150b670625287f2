/** The course's labelled splits: images X (N, ...) and labels y (N,) int32 for train, val and test. */
import type { NDArray } from '../ndarray/ndarray.js';

export interface TrainValTest {
  XTrain: NDArray;
  yTrain: NDArray;
  XVal: NDArray;
  yVal: NDArray;
  XTest: NDArray;
  yTest: NDArray;
}
