/**
 * Scores of generated captions against reference captions: corpus-level BLEU-1..4 (Papineni et al. 2002,
 * as nltk's corpus_bleu without smoothing) and exact-caption accuracy. Captions are token lists; see
 * captionTokens for a decoded caption's words without the special tokens.
 *
 * BLEU-N = BP·exp(Σ_{n≤N} log(p_n) / N), where p_n is the corpus's modified n-gram precision (each
 * hypothesis n-gram counts at most as often as it occurs in one of its references; the denominator counts
 * at least 1 per sentence) and BP = min(1, exp(1 − r/c)) the brevity penalty, c the hypotheses' total
 * length and r the sum of the reference lengths closest to each hypothesis's (ties to the shorter). A p_n
 * of 0 makes BLEU-N 0 (no smoothing). scripts/golden_bleu.py is the reference the tests compare with.
 *
 * A caption shorter than n words adds 1 to p_n's denominator and nothing to its numerator (nltk's max(1, ·)),
 * so short captions cap BLEU-n even when perfect: perfect captions of 1, 2, 3, 4 and 5 words in equal numbers
 * score BLEU-4 = (10/11 · 6/8 · 3/6)^(1/4) ≈ 0.764, not 1.
 */
import { SPECIAL_TOKENS } from './captions.js';

/** Each n-gram of `tokens` (joined by a separator no word holds) with its count. */
function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The reference length closest to hypLength (the shorter on a tie). */
function closestRefLength(references: readonly (readonly string[])[], hypLength: number): number {
  let best = Infinity;
  for (const r of references) {
    const d = Math.abs(r.length - hypLength) - Math.abs(best - hypLength);
    if (d < 0 || (d === 0 && r.length < best)) best = r.length;
  }
  return best;
}

/** BLEU-1..4 of a corpus. */
export interface BleuScores {
  bleu1: number;
  bleu2: number;
  bleu3: number;
  bleu4: number;
}

/**
 * Corpus BLEU-1 to BLEU-4 (uniform weights over 1..N) of hypotheses[i] against references[i].
 * - references: for each hypothesis, one or more reference token lists
 * - hypotheses: token lists
 */
export function corpusBleu(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
): BleuScores {
  if (references.length !== hypotheses.length)
    throw new RangeError(
      `corpusBleu: ${references.length} reference sets for ${hypotheses.length} hypotheses`,
    );
  const matched = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  let c = 0;
  let r = 0;
  hypotheses.forEach((hyp, i) => {
    const refs = references[i];
    if (refs.length === 0) throw new RangeError(`corpusBleu: hypothesis ${i} has no reference`);
    for (let n = 1; n <= 4; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs)
        for (const [k, v] of ngramCounts(ref, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, v));
      let count = 0;
      for (const [k, v] of ngramCounts(hyp, n)) {
        matched[n - 1] += Math.min(v, maxRef.get(k) ?? 0);
        count += v;
      }
      total[n - 1] += Math.max(1, count);
    }
    c += hyp.length;
    r += closestRefLength(refs, hyp.length);
  });
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  const bleu = (N: number) => {
    if (matched.slice(0, N).some((m) => m === 0)) return 0;
    let logSum = 0;
    for (let n = 0; n < N; n++) logSum += Math.log(matched[n] / total[n]) / N;
    return bp * Math.exp(logSum);
  };
  return { bleu1: bleu(1), bleu2: bleu(2), bleu3: bleu(3), bleu4: bleu(4) };
}

/**
 * The fraction of hypotheses equal, word for word, to one of their references (exact-caption accuracy).
 */
export function exactCaptionAccuracy(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
): number {
  if (references.length !== hypotheses.length)
    throw new RangeError(
      `exactCaptionAccuracy: ${references.length} reference sets for ${hypotheses.length} hypotheses`,
    );
  if (hypotheses.length === 0) return 0;
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((w, i) => w === b[i]);
  const hits = hypotheses.filter((h, i) => references[i].some((ref) => same(ref, h))).length;
  return hits / hypotheses.length;
}

const MARKERS: readonly string[] = SPECIAL_TOKENS.slice(0, 3);

/** A decoded caption's words without <NULL>, <START> and <END> (<UNK> stays a word): what BLEU compares. */
export function captionTokens(caption: string): string[] {
  return caption.split(/\s+/).filter((w) => w.length > 0 && !MARKERS.includes(w));
}
