/** The page's panels beside the charts: stats, settings, first-layer pictures, samples, confusion matrix. */
import type { ModelPictures } from '../../src/cli/ui/protocol.js';
import { accChart, lossChart, speedChart } from './charts.js';
import { $, el } from './dom.js';
import { dash } from './state.js';

export function setStats(rows: [string, string][]): void {
  $('#stats').replaceChildren(
    ...rows.map(([k, v]) => {
      const d = el('div', undefined, 'stat');
      d.append(el('span', k, 'muted small'), el('strong', v));
      d.dataset.stat = k;
      return d;
    }),
  );
}

/** Nested settings as rows of dotted keys and printable values. */
export function flatten(obj: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v))
      out.push(...flatten(v as Record<string, unknown>, key));
    else out.push([key, v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}

export function setConfig(config: Record<string, unknown> | null | undefined): void {
  const rows = config ? flatten(config) : [];
  $('#config-section').hidden = rows.length === 0;
  $('#config').replaceChildren(
    ...rows.map(([k, v]) => {
      const tr = el('tr');
      tr.append(el('th', k), el('td', v));
      return tr;
    }),
  );
}

export function setFilters(src: string | null | undefined, caption: string): void {
  $('#filters-figure').hidden = !src;
  if (src) $<HTMLImageElement>('#filters').src = src;
  $('#filters-caption').textContent = caption;
}

/** The live model's guesses on the first test images, each marked right or wrong. */
export function setLiveSamples(m: ModelPictures | null, classNames: string[]): void {
  const s = m?.samples;
  $('#samples-figure').hidden = !s;
  if (!s) return;
  const name = (c: number): string => classNames[c] ?? String(c);
  const correct = s.predicted.filter((p, i) => p === s.truth[i]).length;
  $('#samples-caption').textContent =
    `Predictions on the first ${s.images.length} test images after epoch ${m!.epoch} (${correct} right)`;
  $('#samples').replaceChildren(
    ...s.images.map((src, i) => {
      const ok = s.predicted[i] === s.truth[i];
      const cell = el('div', undefined, `sample ${ok ? 'ok' : 'bad'}`);
      const img = el('img');
      img.src = src;
      img.alt = `test image ${i}`;
      cell.append(
        img,
        el('span', ok ? name(s.predicted[i]) : `${name(s.predicted[i])} → ${name(s.truth[i])}`),
      );
      return cell;
    }),
  );
}

/** A past run's test images: the report's sprite. */
export function setReportSamples(src: string | undefined): void {
  $('#samples-figure').hidden = !src;
  if (!src) return;
  $('#samples-caption').textContent = 'Test images (from the report; see report.html for the predictions)';
  const img = el('img');
  img.src = src;
  img.alt = 'test images';
  img.className = 'sprite';
  $('#samples').replaceChildren(img);
}

/** The confusion matrix as a table coloured by row share, or the report's picture of it. */
export function setConfusion(matrix: number[][] | null, classNames: string[], svg?: string): void {
  const box = $('#confusion');
  dash.confusion = !!matrix || !!svg;
  $('#confusion-section').hidden = !dash.confusion;
  if (!matrix) {
    if (svg) {
      const img = el('img');
      img.src = svg;
      img.alt = 'confusion matrix';
      box.replaceChildren(img);
    } else box.replaceChildren();
    return;
  }
  const table = el('table', undefined, 'confusion');
  const head = el('tr');
  head.append(el('th', 'true \\ predicted'), ...classNames.map((c) => el('th', c)));
  table.append(head);
  matrix.forEach((row, i) => {
    const tr = el('tr');
    tr.append(el('th', classNames[i] ?? String(i)));
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, j) => {
      const td = el('td', String(v), i === j ? 'diag' : '');
      const a = v / total;
      td.style.background = i === j ? `rgba(43,138,62,${a})` : `rgba(217,72,15,${Math.min(1, 3 * a)})`;
      if (a > 0.55) td.style.color = '#fff';
      tr.append(td);
    });
    table.append(tr);
  });
  box.replaceChildren(table);
}

export function showError(message: string | null): void {
  const e = $('#error');
  e.hidden = !message;
  e.textContent = message ?? '';
}

/** Empties every panel and chart for a new view. */
export function resetView(title: string, subtitle = ''): void {
  $('#title').textContent = title;
  $('#subtitle').textContent = subtitle;
  delete $('#subtitle').dataset.done;
  showError(null);
  setStats([]);
  setConfig(null);
  setFilters(null, '');
  $('#samples-figure').hidden = true;
  setConfusion(null, []);
  lossChart.clear();
  accChart.clear();
  speedChart.clear();
  $('#speed-figure').hidden = false;
  $('#axis').hidden = true;
  $('#loss-caption').textContent = 'Loss per iteration (light) and its moving average';
  dash.xAxis = 'iteration';
  dash.lossPoints = 0;
  dash.lossSeries = [];
  dash.epochs = 0;
  dash.modelUpdates = 0;
}
