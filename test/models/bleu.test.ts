/** BLEU-1..4 against the reference implementation in scripts/golden_bleu.py (test/golden/bleu.json). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captionTokens, corpusBleu, exactCaptionAccuracy } from '../../src/models/index.js';

interface Case {
  references: string[][][];
  hypotheses: string[][];
  bleu: number[];
}
const G = JSON.parse(readFileSync(new URL('../golden/bleu.json', import.meta.url), 'utf8')) as Record<
  string,
  Case
>;

describe('corpusBleu', () => {
  for (const [name, c] of Object.entries(G)) {
    it(`${name}: BLEU-1..4 = ${c.bleu.map((b) => b.toFixed(4)).join(', ')}`, () => {
      const s = corpusBleu(c.references, c.hypotheses);
      [s.bleu1, s.bleu2, s.bleu3, s.bleu4].forEach((b, i) => expect(b).toBeCloseTo(c.bleu[i], 14));
    });
  }

  it("reproduces nltk's documented corpus BLEU-4 of its own example", () => {
    expect(corpusBleu(G.nltk.references, G.nltk.hypotheses).bleu4).toBeCloseTo(0.5920778868801042, 15);
  });

  it('a perfect corpus scores 1, and the brevity penalty lowers a short one', () => {
    const refs = [[['one', 'two', 'three', 'four']]];
    expect(corpusBleu(refs, refs[0])).toEqual({ bleu1: 1, bleu2: 1, bleu3: 1, bleu4: 1 });
    expect(corpusBleu(refs, [['one', 'two']]).bleu1).toBeCloseTo(Math.exp(1 - 4 / 2), 15);
    // Shorter than 4 words, a caption has no 4-gram to match: its BLEU-4 is 0 without smoothing, as nltk's.
    expect(corpusBleu([[['one', 'two', 'three']]], [['one', 'two', 'three']]).bleu4).toBe(0);
    // Perfect captions of 1..5 words: each caption shorter than n words adds 1 to p_n's denominator.
    const perfect = [1, 2, 3, 4, 5].map((n) => Array.from({ length: n }, (_, i) => `w${i}`));
    const s = corpusBleu(
      perfect.map((c) => [c]),
      perfect,
    );
    expect(s.bleu1).toBe(1);
    expect(s.bleu2).toBeCloseTo(Math.sqrt(10 / 11), 15);
    expect(s.bleu4).toBeCloseTo(((10 / 11) * (6 / 8) * (3 / 6)) ** 0.25, 15);
    expect(() => corpusBleu(refs, [])).toThrow('corpusBleu: 1 reference sets for 0 hypotheses');
  });
});

describe('exact captions', () => {
  it('exactCaptionAccuracy counts word-for-word matches with any reference', () => {
    const refs = [[['seven', 'zero']], [['one'], ['won']], [['two', 'two']]];
    expect(exactCaptionAccuracy(refs, [['seven', 'zero'], ['won'], ['two']])).toBeCloseTo(2 / 3, 15);
  });

  it('captionTokens drops <NULL>, <START> and <END>', () => {
    expect(captionTokens('<START> seven <UNK> four <END>')).toEqual(['seven', '<UNK>', 'four']);
    expect(captionTokens('')).toEqual([]);
  });
});
