/**
 * The run report: `report.html` beside the SVG charts and PNG image grids it shows, all in the run folder,
 * so the folder can be copied or served as it is. Every section is optional; a report shows what the run has.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NDArray } from '../ndarray/index.js';
import {
  accuracySpec,
  confusionSpec,
  lossHistorySpec,
  renderSvg,
  sweepSpec,
  type EpochAccuracy,
  type SweepPoint,
} from './charts.js';
import { encodePng, visualizeGrid, type GridCell } from './grid.js';

export interface ReportInput {
  title: string;
  /** Key/value rows shown at the top (model, data, accuracy, time, command...). */
  summary: [string, string][];
  /** Loss of every iteration. */
  lossHistory?: readonly number[];
  /** Train/val accuracy per epoch. */
  epochs?: readonly EpochAccuracy[];
  /** Confusion matrix on the test set: matrix[true][predicted]. */
  confusion?: { matrix: number[][]; classNames: string[] };
  /** Class templates of a linear classifier: (K, H, W, C), one per class, in class order. */
  templates?: { images: NDArray; classNames: string[] };
  /** First-layer conv filters: (F, HH, WW, C). */
  filters?: NDArray;
  /** Test images with the model's prediction: images (N, H, W, C) in displayable values (any range). */
  samples?: { images: NDArray; predicted: number[]; truth: number[]; classNames: string[] };
  /** A sweep's trials: accuracy over the (lr, reg) plane, plus the ranked table. */
  sweep?: { points: (SweepPoint & { run?: string })[] };
  /** Free-form extra HTML sections (already escaped), e.g. a table of trials. */
  extraHtml?: string;
}

/** The files a report writes, relative to its folder. */
export const reportFiles = {
  html: 'report.html',
  loss: 'loss.svg',
  accuracy: 'accuracy.svg',
  confusion: 'confusion.svg',
  templates: 'templates.png',
  filters: 'filters.png',
  samples: 'samples.png',
  sweep: 'sweep.svg',
} as const;

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Writes the report's images and report.html into `dir`; returns the paths written (report.html last). */
export async function writeReport(
  dir: string,
  input: ReportInput,
  htmlName: string = reportFiles.html,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const sections: string[] = [];
  const put = async (name: string, content: string | Uint8Array): Promise<void> => {
    await writeFile(join(dir, name), content);
    written.push(join(dir, name));
  };
  const figure = (file: string, caption: string, extra = ''): string =>
    `<figure><img src="${file}" alt="${escapeHtml(caption)}"${extra}><figcaption>${escapeHtml(caption)}</figcaption></figure>`;

  const charts: string[] = [];
  if (input.lossHistory && input.lossHistory.length > 0) {
    await put(reportFiles.loss, await renderSvg(lossHistorySpec(input.lossHistory)));
    charts.push(figure(reportFiles.loss, 'Loss per iteration (dots) and its moving average (line)'));
  }
  if (input.epochs && input.epochs.length > 0) {
    await put(reportFiles.accuracy, await renderSvg(accuracySpec(input.epochs)));
    charts.push(figure(reportFiles.accuracy, 'Training-sample and validation accuracy after each epoch'));
  }
  if (charts.length) sections.push(`<h2>Training</h2><div class="row">${charts.join('')}</div>`);

  if (input.sweep && input.sweep.points.length > 0) {
    await put(reportFiles.sweep, await renderSvg(sweepSpec(input.sweep.points)));
    sections.push(
      `<h2>Hyperparameter search</h2><div class="row">${figure(reportFiles.sweep, 'Validation accuracy of each trial over the (learning rate, regularization) plane')}</div>`,
    );
  }

  if (input.confusion) {
    const { matrix, classNames } = input.confusion;
    await put(reportFiles.confusion, await renderSvg(confusionSpec(matrix, classNames)));
    const rows = matrix
      .map((row, i) => {
        const total = row.reduce((a, b) => a + b, 0);
        const acc = total ? row[i] / total : 0;
        return `<tr><td>${escapeHtml(classNames[i])}</td><td>${(100 * acc).toFixed(2)}%</td><td>${row[i]} / ${total}</td></tr>`;
      })
      .join('');
    sections.push(
      `<h2>Test set</h2><div class="row">${figure(reportFiles.confusion, 'Confusion matrix: rows are true classes, columns predictions')}` +
        `<table><thead><tr><th>class</th><th>accuracy</th><th>correct</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    );
  }

  if (input.samples) {
    const { images, predicted, truth, classNames } = input.samples;
    const scale = images.shape[1] < 48 ? 3 : 1;
    const { image, cells } = visualizeGrid(images, { columns: 8, padding: 0, scale, normalize: 'each' });
    await put(reportFiles.samples, encodePng(image));
    sections.push(
      `<h2>Test images with predictions</h2><p>Green: correct; red: wrong (the true class follows the arrow).</p>` +
        `<div class="samples">${cells.map((c, i) => sampleCell(c, image.width, image.height, predicted[i], truth[i], classNames)).join('')}</div>`,
    );
  }

  if (input.templates) {
    const { images, classNames } = input.templates;
    const scale = images.shape[1] < 48 ? 4 : 1;
    const { image, cells } = visualizeGrid(images, { columns: images.shape[0], padding: 2, scale });
    await put(reportFiles.templates, encodePng(image));
    const labels = cells
      .map(
        (c, i) =>
          `<span style="left:${c.x}px;width:${c.width}px">${escapeHtml(classNames[i] ?? String(i))}</span>`,
      )
      .join('');
    sections.push(
      `<h2>Learned class templates</h2><p>The weights of each class, rescaled to [0, 255], as in the course's linear classifiers.</p>` +
        `<div class="templates" style="width:${image.width}px"><img src="${reportFiles.templates}" alt="class templates"><div class="labels">${labels}</div></div>`,
    );
  }

  if (input.filters) {
    const scale = Math.max(1, Math.round(40 / input.filters.shape[1]));
    const { image } = visualizeGrid(input.filters, { padding: 1, scale });
    await put(reportFiles.filters, encodePng(image));
    sections.push(
      `<h2>First-layer filters</h2><div class="row">${figure(reportFiles.filters, `${input.filters.shape[0]} filters of ${input.filters.shape[1]}x${input.filters.shape[2]}, each rescaled to [0, 255]`)}</div>`,
    );
  }

  if (input.extraHtml) sections.push(input.extraHtml);

  const summary = input.summary
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; } td, th { padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee; }
.summary th { color: #555; font-weight: normal; }
.row { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
figure { margin: 0; } figcaption { color: #555; font-size: 0.9em; max-width: 560px; }
img { image-rendering: pixelated; }
.samples { display: flex; flex-wrap: wrap; gap: 8px; max-width: 900px; }
.cell { text-align: center; font-size: 11px; }
.cell div { margin: 0 auto; }
.ok { color: #167a2e; } .bad { color: #c0262d; font-weight: bold; }
.templates { position: relative; } .templates .labels { position: relative; height: 1.4em; }
.templates .labels span { position: absolute; text-align: center; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<table class="summary">${summary}</table>
${sections.join('\n')}
</body>
</html>
`;
  await put(htmlName, html);
  return written;
}

/** One test image shown from the samples sprite, with "predicted" (and "→ true" when wrong) under it. */
function sampleCell(
  c: GridCell,
  spriteW: number,
  spriteH: number,
  pred: number,
  truth: number,
  names: readonly string[],
): string {
  const ok = pred === truth;
  const label = ok
    ? `<span class="ok">${escapeHtml(names[pred] ?? String(pred))}</span>`
    : `<span class="bad">${escapeHtml(names[pred] ?? String(pred))} → ${escapeHtml(names[truth] ?? String(truth))}</span>`;
  const style = `width:${c.width}px;height:${c.height}px;background:url(${reportFiles.samples}) -${c.x}px -${c.y}px / ${spriteW}px ${spriteH}px;image-rendering:pixelated`;
  return `<div class="cell"><div style="${style}"></div>${label}</div>`;
}
