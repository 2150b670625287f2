/** numpy-style printing: array([[1. , 2.5], [3. , 4. ]], dtype=float32), summarised with ... when large. */
import type { NDArray } from './ndarray.js';
import { fmtShape } from './shape.js';

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 8;
const LINE_WIDTH = 75;

/** The fewest significant digits that read back as `v` in its dtype (numpy's "unique" repr). */
function shortestDigits(v: number, dtype: string): number {
  for (let p = 1; p < 17; p++) {
    const r = Number(v.toPrecision(p));
    if ((dtype === 'float32' ? Math.fround(r) : r) === v) return p;
  }
  return 17;
}

/** `v` in fixed notation with its shortest unique digits, at most PRECISION after the point, zeros trimmed. */
function fixedOf(v: number, dtype: string): string {
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  const frac = Math.min(PRECISION, Math.max(0, shortestDigits(v, dtype) - 1 - exp));
  let s = Math.abs(v).toFixed(frac);
  if (s.includes('.')) s = s.replace(/0+$/, '');
  if (!s.includes('.')) s += '.';
  return (v < 0 || Object.is(v, -0) ? '-' : '') + s;
}

const keyOf = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/**
 * Builds a formatter for every element, with numpy's choice between fixed and scientific notation and
 * its "maxprec" digits: each value's shortest unique repr, capped at 8 digits, padded to a common width.
 */
function makeFormatter(values: number[], dtype: string): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? ' True' : 'False');
  if (dtype !== 'float32' && dtype !== 'float64') {
    const w = Math.max(1, ...values.map((v) => String(v).length));
    return (v) => String(v).padStart(w);
  }
  const finite = values.filter((v) => Number.isFinite(v));
  const absNz = finite.map(Math.abs).filter((v) => v > 0);
  const maxA = absNz.length ? Math.max(...absNz) : 0;
  const minA = absNz.length ? Math.min(...absNz) : 0;
  const sci = maxA >= 1e8 || minA < 1e-4 || (minA > 0 && maxA / minA > 1e3);
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  const table = new Map<string, string>();
  if (sci && absNz.length) {
    let digits = 0;
    for (const v of finite) digits = Math.max(digits, Math.min(PRECISION, shortestDigits(v, dtype) - 1));
    const strs = values.map((v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = Math.abs(v).toExponential(digits).split('e');
      const exp = Number(e);
      const sign = v < 0 || Object.is(v, -0) ? '-' : '';
      return `${sign}${digits === 0 ? m + '.' : m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    });
    const w = Math.max(...strs.map((s) => s.length));
    values.forEach((v, i) => table.set(keyOf(v), strs[i].padStart(w)));
    return (v) => table.get(keyOf(v)) ?? String(v);
  }
  // Fixed: integer parts right-aligned, fractions left-aligned and padded with spaces.
  const parts = finite.map((v) => fixedOf(v, dtype).split('.'));
  let iw = Math.max(0, ...parts.map((p) => p[0].length));
  const frac = Math.max(0, ...parts.map((p) => p[1].length));
  // numpy widens the integer part so that nan/inf/-inf fit the column.
  for (const v of values) if (!Number.isFinite(v)) iw = Math.max(iw, special(v).length - frac - 1);
  const width = iw + 1 + frac;
  for (const v of values) {
    if (table.has(keyOf(v))) continue;
    if (!Number.isFinite(v)) table.set(keyOf(v), special(v).padStart(width));
    else {
      const [ip, fp] = fixedOf(v, dtype).split('.');
      table.set(keyOf(v), ip.padStart(iw) + '.' + fp.padEnd(frac, ' '));
    }
  }
  return (v) => table.get(keyOf(v)) ?? String(v);
}

export function formatArray(a: NDArray): string {
  const summarise = a.size > THRESHOLD;
  const shown: number[] = [];
  const visit = (dim: number, off: number, f: (v: number) => void): void => {
    if (dim === a.ndim) {
      f(a.data[off]);
      return;
    }
    const n = a.shape[dim];
    for (let i = 0; i < n; i++) {
      if (summarise && n > 2 * EDGE && i === EDGE) i = n - EDGE;
      visit(dim + 1, off + i * a.strides[dim], f);
    }
  };
  visit(0, a.offset, (v) => shown.push(v));
  const fmt = makeFormatter(shown, a.dtype);
  const prefix = 'array(';
  const render = (dim: number, off: number, indent: string): string => {
    if (dim === a.ndim) return fmt(a.data[off]);
    const n = a.shape[dim];
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarise && n > 2 * EDGE && i === EDGE) {
        items.push('...');
        i = n - EDGE;
      }
      items.push(render(dim + 1, off + i * a.strides[dim], indent + ' '));
    }
    if (dim === a.ndim - 1) {
      // Wrap rows as numpy's _formatArray: the line (hanging indent included) plus the next word must fit
      // in the line width less the ')' suffix, one ']' per enclosing bracket and the separator.
      const hanging = indent.length + 1;
      const elemWidth = LINE_WIDTH - 1 - dim - 1;
      let s = '';
      let line = ' '.repeat(hanging);
      items.forEach((word, k) => {
        if (line.length + word.length > elemWidth && line.length > hanging) {
          s += line.trimEnd() + '\n';
          line = ' '.repeat(hanging);
        }
        line += word;
        if (k < items.length - 1) line += ', ';
      });
      return '[' + (s + line).slice(hanging) + ']';
    }
    const sep = ',' + '\n'.repeat(a.ndim - dim - 1) + indent + ' ';
    return '[' + items.join(sep) + ']';
  };
  const body =
    a.size === 0 && a.ndim > 0
      ? '[]'
      : a.ndim === 0
        ? fmt(a.data[a.offset]).trim()
        : render(0, a.offset, ' '.repeat(prefix.length));
  // numpy adds shape= when it cannot be read off the text (empty or summarised) and dtype= unless implied.
  const extras: string[] = [];
  if ((a.size === 0 && a.ndim !== 1) || summarise) extras.push(`shape=${fmtShape(a.shape)}`);
  if ((a.dtype !== 'float64' && a.dtype !== 'bool') || a.size === 0) extras.push(`dtype=${a.dtype}`);
  if (extras.length === 0) return `${prefix}${body})`;
  const arrStr = `${prefix}${body},`;
  const extraStr = extras.join(', ') + ')';
  const lastLine = arrStr.length - (arrStr.lastIndexOf('\n') + 1);
  const spacer = lastLine + extraStr.length + 1 > LINE_WIDTH ? '\n' + ' '.repeat(prefix.length) : ' ';
  return arrStr + spacer + extraStr;
}
