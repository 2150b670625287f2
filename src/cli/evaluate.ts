/** Judging predictions: accuracy, accuracy per class and the confusion matrix (rows true, columns predicted). */
import type { NDArray } from '../ndarray/ndarray.js';

export interface Evaluation {
  accuracy: number;
  count: number;
  /** Accuracy of each class (NaN for a class with no examples). */
  perClass: number[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
}

export function evaluatePredictions(pred: ArrayLike<number>, y: NDArray, numClasses: number): Evaluation {
  const truth = y.toTypedArray();
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = pred[i];
    if (t >= 0 && t < numClasses && p >= 0 && p < numClasses) confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[c] / total : NaN;
  });
  return { accuracy: truth.length ? correct / truth.length : 0, count: truth.length, perClass, confusion };
}

/** The per-class table and the confusion matrix as text, for the terminal. */
export function formatEvaluation(ev: Evaluation, classNames: readonly string[]): string {
  const lines: string[] = [];
  const w = Math.max(5, ...classNames.map((c) => c.length));
  lines.push(`accuracy ${(100 * ev.accuracy).toFixed(2)}% on ${ev.count.toLocaleString('en-US')} images`);
  lines.push('');
  lines.push(`${'class'.padEnd(w)}  accuracy`);
  ev.perClass.forEach((a, c) =>
    lines.push(`${classNames[c].padEnd(w)}  ${Number.isNaN(a) ? '   -' : (100 * a).toFixed(2) + '%'}`),
  );
  lines.push('');
  lines.push('confusion matrix (rows: true class, columns: predicted)');
  const cw = Math.max(4, ...ev.confusion.flat().map((v) => String(v).length)) + 1;
  const short = classNames.map((c) => c.slice(0, cw - 1));
  lines.push(' '.repeat(w) + short.map((c) => c.padStart(cw)).join(''));
  ev.confusion.forEach((row, t) =>
    lines.push(classNames[t].padEnd(w) + row.map((v) => String(v).padStart(cw)).join('')),
  );
  return lines.join('\n');
}
