/**
 * Captions as word indices (the course's coco_utils.py conventions): a vocabulary whose first words are the
 * special tokens <NULL> (padding, index 0), <START>, <END> and <UNK>, captions (N, T) int32 that begin with
 * <START>, end with <END> and are padded with <NULL>.
 */
import { isInteger, type FloatDType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';

/** The special tokens, in the order the course's vocabulary files give them indices 0, 1, 2, 3. */
export const SPECIAL_TOKENS = Object.freeze(['<NULL>', '<START>', '<END>', '<UNK>'] as const);

/**
 * Word indices → sentences, as coco_utils.py's decode_captions: <NULL> is skipped and each caption stops
 * after its first <END> (<START> and <END> themselves are kept, as the course prints them).
 * - captions: (N, T) integer indices, or (T,) for one caption (one sentence is returned)
 * - idxToWord: the word of each index
 * Returns N strings.
 */
export function decodeCaptions(captions: NDArray, idxToWord: readonly string[]): string[] {
  if (captions.ndim !== 1 && captions.ndim !== 2)
    throw new RangeError(
      `decodeCaptions: captions must be (N, T) or (T,), got shape ${fmtShape(captions.shape)}`,
    );
  const rows = captions.ndim === 1 ? captions.reshape(1, -1) : captions;
  const [N, T] = rows.shape;
  const out: string[] = [];
  for (let n = 0; n < N; n++) {
    const words: string[] = [];
    for (let t = 0; t < T; t++) {
      const idx = rows.item(n, t);
      const word = idxToWord[idx];
      if (word === undefined)
        throw new RangeError(
          `decodeCaptions: index ${idx} at (${n}, ${t}) is outside the vocabulary of ${idxToWord.length} words`,
        );
      if (word !== '<NULL>') words.push(word);
      if (word === '<END>') break;
    }
    out.push(words.join(' '));
  }
  return out;
}

/** idxToWord from wordToIdx (the course's {i: w for w, i in word_to_idx.items()}), as a list. */
export function invertVocabulary(wordToIdx: Readonly<Record<string, number>>): string[] {
  const idxToWord: string[] = [];
  for (const [w, i] of Object.entries(wordToIdx)) idxToWord[i] = w;
  return idxToWord;
}

/** The special words' indices in a vocabulary, which must hold <NULL>; `model` names the owner in the error. */
export function specialIndices(
  model: string,
  wordToIdx: Readonly<Record<string, number>>,
): { nullIdx: number; startIdx: number | undefined; endIdx: number | undefined } {
  const nullIdx = wordToIdx['<NULL>'];
  if (nullIdx === undefined) throw new RangeError(`${model}: wordToIdx has no <NULL> word`);
  return { nullIdx, startIdx: wordToIdx['<START>'], endIdx: wordToIdx['<END>'] };
}

/** A captioning model's image features (N, inputDim) as its dtype; throws naming `op` and the shapes otherwise. */
export function checkFeatures(op: string, features: NDArray, inputDim: number, dtype: FloatDType): NDArray {
  if (features.ndim !== 2 || features.shape[1] !== inputDim)
    throw new RangeError(
      `${op}: features of shape ${fmtShape(features.shape)} should be (N, inputDim = ${inputDim})`,
    );
  return features.dtype === dtype ? features : features.astype(dtype);
}

/** Requires captions of integer word indices in [0, vocabSize). */
export function checkWordIndices(op: string, captions: NDArray, vocabSize: number): void {
  if (!isInteger(captions.dtype))
    throw new RangeError(`${op}: captions must be int32 word indices, got ${captions.dtype}`);
  if (captions.size === 0) return;
  const [lo, hi] = [captions.min().item(), captions.max().item()];
  if (lo < 0 || hi >= vocabSize)
    throw new RangeError(
      `${op}: captions of shape ${fmtShape(captions.shape)} hold word indices from ${lo} to ${hi}, outside the vocabulary [0, ${vocabSize})`,
    );
}
