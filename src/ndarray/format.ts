/** numpy-style printing: array([[1. , 2.5], [3. , 4. ]], dtype=float32), summarised with ... when large. */
import type { NDArray } from './ndarray.js';

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 8;
const LINE_WIDTH = 75;

function trimFixed(v: number, digits: number): string {
  let s = v.toFixed(digits);
  if (s.includes('.')) s = s.replace(/0+$/, '');
  return s;
}

/** Builds a formatter for every element, with numpy's choice between fixed and scientific notation. */
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
  if (sci && absNz.length) {
    let digits = 0;
    for (const v of finite) {
      const m = v.toExponential(PRECISION).split('e')[0].replace(/0+$/, '').replace(/\.$/, '');
      const dot = m.indexOf('.');
      digits = Math.max(digits, dot < 0 ? 0 : m.length - dot - 1);
    }
    const strs = values.map((v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = v.toExponential(digits).split('e');
      const exp = Number(e);
      return `${digits === 0 ? m + '.' : m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    });
    const w = Math.max(...strs.map((s) => s.length));
    const table = new Map(values.map((v, i) => [v, strs[i].padStart(w)]));
    return (v) => table.get(v) ?? String(v);
  }
  let frac = 0;
  for (const v of finite) {
    const s = trimFixed(v, PRECISION);
    const dot = s.indexOf('.');
    frac = Math.max(frac, dot < 0 ? 0 : s.length - dot - 1);
  }
  const parts = values.map((v) => {
    if (!Number.isFinite(v)) return [special(v), ''];
    const s = trimFixed(v, frac);
    const [ip, fp = ''] = s.split('.');
    return [ip, '.' + fp.padEnd(frac, ' ')];
  });
  const iw = Math.max(...parts.map((p) => p[0].length));
  const fw = Math.max(...parts.map((p) => p[1].length));
  const table = new Map(values.map((v, i) => [v, parts[i][0].padStart(iw) + parts[i][1].padEnd(fw)]));
  return (v) => table.get(v) ?? String(v);
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
      // Wrap long rows at numpy's line width.
      const lines: string[] = [];
      let line = '';
      for (const it of items) {
        const piece = line ? line + ', ' + it : it;
        if (line && indent.length + piece.length + 1 > LINE_WIDTH) {
          lines.push(line + ',');
          line = it;
        } else line = piece;
      }
      lines.push(line);
      return '[' + lines.join('\n' + indent + ' ') + ']';
    }
    const sep = ',' + '\n'.repeat(a.ndim - dim - 1) + indent + ' ';
    return '[' + items.join(sep) + ']';
  };
  const body = a.ndim === 0 ? fmt(a.data[a.offset]).trim() : render(0, a.offset, ' '.repeat(prefix.length));
  const showDtype = a.dtype !== 'float64' && a.dtype !== 'bool';
  const empty = a.size === 0 && a.ndim > 0;
  if (empty) return `array([], shape=(${a.shape.join(', ')}${a.ndim === 1 ? ',' : ''}), dtype=${a.dtype})`;
  return `${prefix}${body}${showDtype ? `, dtype=${a.dtype}` : ''})`;
}
