"""Reference corpus BLEU (Papineni et al. 2002) in plain Python, for src/models/bleu.ts's tests (issue 14).

Run: python3 scripts/golden_bleu.py  -> writes test/golden/bleu.json

It follows nltk.translate.bleu_score.corpus_bleu without smoothing (nltk is not installed here, so it is
restated, and checked below against the values nltk's documentation gives for its own example):
- per n-gram order n, modified precision summed over the corpus: each hypothesis n-gram counts at most as
  often as it appears in any single one of that hypothesis's references; the denominator is the number of
  hypothesis n-grams, at least 1 per sentence (nltk's max(1, ...));
- corpus brevity penalty BP = 1 if c > r else exp(1 - r / c) (0 when c = 0), c the total hypothesis length,
  r the sum over sentences of the reference length closest to the hypothesis's (ties to the shorter);
- BLEU-N = BP * exp(sum_{n <= N} w_n log p_n) with uniform weights w_n = 1 / N, and 0 when any p_n is 0
  (no smoothing: nltk returns 0 too, after a warning).
"""
import json
import math
import os
from collections import Counter


def ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(references, hypothesis, n):
    counts = ngrams(hypothesis, n)
    max_ref = Counter()
    for ref in references:
        for g, c in ngrams(ref, n).items():
            max_ref[g] = max(max_ref[g], c)
    clipped = sum(min(c, max_ref[g]) for g, c in counts.items())
    return clipped, max(1, sum(counts.values()))


def closest_ref_length(references, hyp_len):
    return min((len(r) for r in references), key=lambda r: (abs(r - hyp_len), r))


def corpus_bleu(list_of_references, hypotheses, weights):
    num, den = Counter(), Counter()
    c = r = 0
    for refs, hyp in zip(list_of_references, hypotheses):
        for n in range(1, len(weights) + 1):
            a, b = modified_precision(refs, hyp, n)
            num[n] += a
            den[n] += b
        c += len(hyp)
        r += closest_ref_length(refs, len(hyp))
    if num[1] == 0:
        return 0.0
    bp = 1.0 if c > r else (0.0 if c == 0 else math.exp(1 - r / c))
    if any(num[n] == 0 for n, w in enumerate(weights, start=1) if w > 0):
        return 0.0
    return bp * math.exp(sum(w * math.log(num[n] / den[n]) for n, w in enumerate(weights, start=1)))


def bleu_n(refs, hyps, N):
    return corpus_bleu(refs, hyps, [1 / N] * N)


def main():
    # nltk's own example (its corpus_bleu docstring and the weights quoted from its documentation).
    hyp1 = 'It is a guide to action which ensures that the military always obeys the commands of the party'.split()
    ref1a = 'It is a guide to action that ensures that the military will forever heed Party commands'.split()
    ref1b = ('It is the guiding principle which guarantees the military forces always being under the command of '
             'the Party').split()
    ref1c = 'It is the practical guide for the army always to heed the directions of the party'.split()
    hyp2 = 'he read the book because he was interested in world history'.split()
    ref2a = 'he was interested in world history because he read the book'.split()
    nltk_refs, nltk_hyps = [[ref1a, ref1b, ref1c], [ref2a]], [hyp1, hyp2]
    assert corpus_bleu(nltk_refs, nltk_hyps, [0.25] * 4) == 0.5920778868801042
    assert corpus_bleu(nltk_refs, nltk_hyps, [1, 0, 0, 0]) == 0.9655172413793104
    assert abs(corpus_bleu(nltk_refs, nltk_hyps, [0.5, 0.5, 0, 0]) - 0.8242803277698696) < 1e-15
    assert abs(corpus_bleu(nltk_refs, nltk_hyps, [0.33, 0.33, 0.33, 0]) - 0.7093989814471865) < 1e-15

    cases = {
        'nltk': (nltk_refs, nltk_hyps),
        # Captions of digits: exact, one word off, a short hypothesis (brevity penalty), a long one.
        'digits': ([[s.split()] for s in ['seven zero four', 'one one two three', 'five', 'nine eight',
                                          'two four six eight one']],
                   [s.split() for s in ['seven zero four', 'one one two two', 'five', 'nine',
                                        'two four six eight one one']]),
        # Several references of different lengths (the closest one sets r; ties go to the shorter).
        'multiRef': ([['a cat sits on the mat'.split(), 'there is a cat on the mat'.split()],
                      ['the dog runs'.split(), 'a dog is running fast'.split(), 'dogs run'.split()]],
                     ['the cat is on the mat'.split(), 'a dog runs'.split()]),
        # Clipping: a hypothesis that repeats a reference word.
        'clipping': ([['the cat is on the mat'.split()]], ['the the the the the the the'.split()]),
        # No 4-gram match: BLEU-4 is 0 without smoothing, BLEU-1..3 are not.
        'noFourGram': ([['one two three four five'.split()]], ['one two three five four'.split()]),
        # Nothing matches: every BLEU is 0.
        'noMatch': ([['a b c'.split()]], ['d e f'.split()]),
    }
    out = {}
    for name, (refs, hyps) in cases.items():
        out[name] = dict(references=refs, hypotheses=hyps, bleu=[bleu_n(refs, hyps, N) for N in (1, 2, 3, 4)])
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'bleu.json')
    with open(path, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(f'wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)')
    for name, v in out.items():
        print(name, v['bleu'])


if __name__ == '__main__':
    main()
