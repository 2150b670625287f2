/**
 * np.einsum: Einstein summation over labelled axes, e.g. 'ij,jk->ik' (matmul), 'ii' (trace), 'ii->i'
 * (diagonal), 'bij,bjk->bik' (batched matmul), '...ij,...jk' (ellipsis broadcasting), 'ij' or 'ji' with the
 * output implied (the labels seen once, in alphabetical order, after the ellipsis axes).
 *
 * Each operand's repeated labels become one strided diagonal axis (a view), its labels used nowhere else are
 * summed, then the operands are contracted left to right, each pair as one batched matmul (or a broadcast
 * product where nothing is summed) — so the arithmetic runs in the backend's GEMM and elementwise kernels.
 */
import { matmul } from './linalg.js';
import { NDArray, describeValue } from './ndarray.js';
import { sum } from './reduce.js';
import { fmtShape } from './shape.js';

/** Labels of the axes an ellipsis stands for, right-aligned: '\u0100' is the outermost possible one. */
const ELLIPSIS_BASE = 0x100;
const isEllipsisLabel = (l: string) => l.charCodeAt(0) >= ELLIPSIS_BASE;

interface Labelled {
  x: NDArray;
  labels: string[];
}

/** A term's letters, with '...' expanded to `count` ellipsis labels (the last `count` of `total`). */
function expandTerm(term: string, count: number, total: number): string[] {
  const at = term.indexOf('...');
  const letters = term.replace('...', '').split('');
  if (at < 0) return letters;
  const ell = Array.from({ length: count }, (_, j) => String.fromCharCode(ELLIPSIS_BASE + total - count + j));
  const before = term.slice(0, at).length;
  return [...letters.slice(0, before), ...ell, ...letters.slice(before)];
}

function checkSubscripts(spec: string, subscripts: string): void {
  const arrows = spec.split('->').length - 1;
  for (const part of spec.split('->')) {
    for (const t of part.split(',')) {
      const rest = t.replace('...', '');
      const bad = [...rest].find((ch) => !/[a-zA-Z]/.test(ch));
      if (bad !== undefined || arrows > 1)
        throw new RangeError(`einsum: invalid character '${bad ?? '>'}' in subscripts '${subscripts}'`);
    }
  }
}

/** The operands with their axis labels, repeated labels merged into one diagonal axis (a view). */
function labelOperands(terms: string[], operands: NDArray[], ellipsisDims: number): Labelled[] {
  return operands.map((x, i) => {
    const labels = expandTerm(terms[i], x.ndim - terms[i].replace('...', '').length, ellipsisDims);
    const unique = [...new Set(labels)];
    if (unique.length === labels.length) return { x, labels };
    const shape: number[] = [];
    const strides: number[] = [];
    for (const l of unique) {
      const axes = labels.flatMap((m, ax) => (m === l ? [ax] : []));
      const sizes = new Set(axes.map((ax) => x.shape[ax]));
      if (sizes.size > 1)
        throw new RangeError(
          `einsum: label '${l}' has size ${[...sizes].join(' and ')} on the axes of operand ${i}`,
        );
      shape.push(x.shape[axes[0]]);
      strides.push(axes.reduce((s, ax) => s + x.strides[ax], 0));
    }
    return { x: new NDArray(x.data, shape, x.dtype, strides, x.offset), labels: unique };
  });
}

/** Sums `t`'s axes whose labels are not in `keep`. */
function sumExcept(t: Labelled, keep: ReadonlySet<string>): Labelled {
  const axes = t.labels.flatMap((l, ax) => (keep.has(l) ? [] : [ax]));
  if (axes.length === 0) return t;
  return { x: sum(t.x, axes), labels: t.labels.filter((l) => keep.has(l)) };
}

/** The sizes of `labels` in `t` (1 when absent). */
const sizesIn = (t: Labelled, labels: string[]) =>
  labels.map((l) => (t.labels.includes(l) ? t.x.shape[t.labels.indexOf(l)] : 1));

/** `t` with its axes in `order` (every label of t), broadcast to `shape`, reshaped to `to`. */
function arrange(t: Labelled, order: string[], shape: number[], to: number[]): NDArray {
  return t.x
    .transpose(order.map((l) => t.labels.indexOf(l)))
    .broadcastTo(shape)
    .reshape(to);
}

/** Contracts a and b over their shared labels that are not `needed` later; shared needed ones are batch axes. */
function contract(a: Labelled, b: Labelled, needed: ReadonlySet<string>): Labelled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  a = sumExcept(a, new Set([...needed, ...inB]));
  b = sumExcept(b, new Set([...needed, ...inA]));
  const batch = a.labels.filter((l) => inB.has(l) && needed.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !needed.has(l));
  const left = a.labels.filter((l) => !inB.has(l));
  const right = b.labels.filter((l) => !inA.has(l));
  const size = (ls: string[]) => ls.map((l, k) => Math.max(sizesIn(a, ls)[k], sizesIn(b, ls)[k])); // 1 broadcasts, as numpy's einsum
  const [bs, ls, ks, rs] = [size(batch), size(left), size(summed), size(right)];
  const prod = (s: number[]) => s.reduce((p, d) => p * d, 1);
  const [B, M, K, N] = [prod(bs), prod(ls), prod(ks), prod(rs)];
  const A3 = arrange(a, [...batch, ...left, ...summed], [...bs, ...ls, ...ks], [B, M, K]);
  const B3 = arrange(b, [...batch, ...summed, ...right], [...bs, ...ks, ...rs], [B, K, N]);
  let r: NDArray;
  if (K === 1) r = A3.mul(B3);
  else if (M === 1 || N === 1) {
    // Row-wise dot products (e.g. 'ij,ij->i'): a broadcast product summed over K, no (B, 1, 1) GEMM calls.
    r = sum(A3.reshape(B, M, 1, K).mul(B3.transpose(0, 2, 1).reshape(B, 1, N, K)), -1);
  } else r = matmul(A3, B3);
  return { x: r.reshape([...bs, ...ls, ...rs]), labels: [...batch, ...left, ...right] };
}

/** The output labels: explicit after '->', else the ellipsis axes then the labels seen once, sorted. */
function outputLabels(rhs: string | null, terms: string[], all: string[][], ellipsisDims: number): string[] {
  const ell = Array.from({ length: ellipsisDims }, (_, j) => String.fromCharCode(ELLIPSIS_BASE + j));
  if (rhs === null) {
    const counts = new Map<string, number>();
    for (const t of terms) for (const ch of t.replace('...', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l);
    return [...ell, ...once.sort((p, q) => p.charCodeAt(0) - q.charCodeAt(0))];
  }
  const out = expandTerm(rhs, ellipsisDims, ellipsisDims);
  const seen = new Set(all.flat());
  for (const l of out) {
    if (!isEllipsisLabel(l) && !seen.has(l))
      throw new RangeError(`einsum: output label '${l}' is not in any input`);
    if (out.indexOf(l) !== out.lastIndexOf(l))
      throw new RangeError(`einsum: output label '${l}' appears more than once`);
  }
  return out;
}

/** Checks that each label has one size across operands (or 1, which broadcasts). */
function checkSizes(ops: Labelled[]): void {
  const seen = new Map<string, [number, number]>();
  ops.forEach((t, i) =>
    t.labels.forEach((l, ax) => {
      const d = t.x.shape[ax];
      const prev = seen.get(l);
      if (prev && prev[0] !== d && prev[0] !== 1 && d !== 1) {
        const name = isEllipsisLabel(l) ? 'an ellipsis axis' : `label '${l}'`;
        throw new RangeError(
          `einsum: ${name} has size ${prev[0]} in operand ${prev[1]} and ${d} in operand ${i}`,
        );
      }
      if (!prev || prev[0] === 1) seen.set(l, [d, i]);
    }),
  );
}

/**
 * np.einsum(subscripts, ...operands): labels are single letters (case matters), '...' stands for the
 * remaining axes (broadcast across operands), '->' names the output (implied when absent). The dtype is the
 * operands' promoted dtype.
 */
export function einsum(subscripts: string, ...operands: NDArray[]): NDArray {
  if (typeof subscripts !== 'string')
    throw new TypeError(`einsum: subscripts must be a string, got ${describeValue(subscripts)}`);
  operands.forEach((x, i) => {
    if (!(x instanceof NDArray))
      throw new TypeError(`einsum: operand ${i} is ${describeValue(x)}; expected an NDArray`);
  });
  const spec = subscripts.replace(/\s+/g, '');
  checkSubscripts(spec, subscripts);
  const arrow = spec.indexOf('->');
  const terms = (arrow < 0 ? spec : spec.slice(0, arrow)).split(',');
  const rhs = arrow < 0 ? null : spec.slice(arrow + 2);
  if (terms.length !== operands.length) {
    const n = operands.length;
    throw new RangeError(
      `einsum: '${subscripts}' has ${terms.length} operand terms but ${n} operand${n === 1 ? ' was' : 's were'} given`,
    );
  }
  let ellipsisDims = 0;
  terms.forEach((t, i) => {
    const letters = t.replace('...', '').length;
    const x = operands[i];
    if (t.includes('...') ? letters > x.ndim : letters !== x.ndim) {
      throw new RangeError(
        `einsum: operand ${i} has shape ${fmtShape(x.shape)} but its subscripts '${t}' name ${letters} axes`,
      );
    }
    if (t.includes('...')) ellipsisDims = Math.max(ellipsisDims, x.ndim - letters);
  });
  const ops = labelOperands(terms, operands, ellipsisDims);
  checkSizes(ops);
  const out = outputLabels(
    rhs,
    terms,
    ops.map((t) => t.labels),
    ellipsisDims,
  );
  // Labels no other operand and not the output needs are summed first; then pairwise contraction.
  const neededAfter = (i: number) => new Set([...out, ...ops.slice(i + 1).flatMap((t) => t.labels)]);
  let acc = sumExcept(ops[0], neededAfter(0));
  for (let i = 1; i < ops.length; i++) acc = contract(acc, ops[i], neededAfter(i));
  acc = sumExcept(acc, new Set(out));
  return acc.x.transpose(out.map((l) => acc.labels.indexOf(l)));
}
