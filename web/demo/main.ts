/**
 * The demo page: settings, Start/Pause/Reset, and live drawings of what the training Worker reports — the
 * loss, the held-out accuracy, the test digits' predictions, and for the sample digit (a test digit, a
 * drawing or a dropped picture) the class probabilities, the conv layers' feature maps and the first
 * layer's filters. Nothing here computes more than a drawing, so the page answers clicks while the Worker
 * trains.
 *
 * `window.nablaDemo` exposes the page's state (losses so far, clicks handled...) for tests and the console.
 */
import {
  DEFAULTS,
  LEARNING_RATES,
  type DatasetName,
  type FromWorker,
  type Inspect,
  type ModelName,
  type Ready,
  type RunConfig,
  type ToWorker,
} from './protocol.js';
import { setupPad } from './pad.js';
import { clearCanvas, drawDigit, drawGrid } from './views.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  dataset: $<HTMLSelectElement>('dataset'),
  model: $<HTMLSelectElement>('model'),
  updateRule: $<HTMLSelectElement>('updateRule'),
  learningRate: $<HTMLInputElement>('learningRate'),
  seed: $<HTMLInputElement>('seed'),
  backend: $<HTMLSelectElement>('backend'),
  toggle: $<HTMLButtonElement>('toggle'),
  reset: $<HTMLButtonElement>('reset'),
  iteration: $('iteration'),
  loss: $('loss'),
  accuracy: $('accuracy'),
  rate: $('rate'),
  error: $('error'),
  lossCurve: $<HTMLCanvasElement>('lossCurve'),
  view: $<HTMLCanvasElement>('view'),
  viewCaption: $('viewCaption'),
  input: $<HTMLCanvasElement>('input'),
  inputCaption: $('inputCaption'),
  filters: $<HTMLCanvasElement>('filters'),
  filtersCaption: $('filtersCaption'),
  maps1: $<HTMLCanvasElement>('maps1'),
  maps2: $<HTMLCanvasElement>('maps2'),
  pad: $<HTMLCanvasElement>('pad'),
  file: $<HTMLInputElement>('file'),
  clear: $<HTMLButtonElement>('clear'),
  prediction: $('prediction'),
  probs: $<HTMLOListElement>('probs'),
  ping: $<HTMLButtonElement>('ping'),
  pings: $('pings'),
  frames: $('frames'),
};

/** What the page knows; read by tests as window.nablaDemo. */
const state = {
  ready: false,
  /** Start was pressed (and not Stop since). */
  running: false,
  /** The Worker is training, as its last message said. */
  training: false,
  config: DEFAULTS.mnist,
  backend: '',
  /** Threads the Worker's wasm kernels use (more than 1 where the page is cross-origin isolated). */
  threads: 1,
  losses: [] as number[],
  iteration: 0,
  accuracy: 0,
  imagesPerSec: 0,
  pings: 0,
  frames: 0,
  error: '',
  /** The sample being inspected: 0 is the first test digit; each new one the page picks gets a new id. */
  sampleId: 0,
  /** What it is: 'test digit 3', 'your drawing', 'your picture'. */
  sampleSource: 'test digit 0',
  /** The latest inspection of the sample: predicted class, its probabilities, at which iteration. */
  prediction: null as number | null,
  probs: [] as number[],
  inspectedAt: -1,
  /** Inspections received, feature-map layers and filters drawn (for tests). */
  inspections: 0,
  mapsDrawn: 0,
  filtersDrawn: 0,
};
(window as unknown as { nablaDemo: typeof state }).nablaDemo = state;

/** Class colours: light (RGB) for the boundary, strong for the points. */
const LIGHT = [
  [246, 196, 196],
  [196, 220, 246],
  [201, 236, 196],
];
const STRONG = ['#c62828', '#1565c0', '#2e7d32'];
/** The boundary's grid, one pixel per cell, drawn scaled up onto the view; redrawn when a new one comes. */
const grid = document.createElement('canvas');
let gridOf: Uint8Array | null = null;
/** The MNIST digits drawn once per run. */
const digitSheet = document.createElement('canvas');
let digitsOf: Float32Array | null = null;

/** The MNIST subset, beside the page (web/dist/demo/mnist.bin). */
const MNIST_URL = new URL('mnist.bin', document.baseURI).href;

let runId = 0;
let ready: Ready | null = null;
/** The latest pictures the Worker sent (it sends them only when measured anew). */
let boundary: Uint8Array | null = null;
let predictions: Int32Array | null = null;
let inspection: Inspect | null = null;
/** The sample's pixels, as sent to the Worker (null: the first test digit, known once the run is ready). */
let sampleImage: Float32Array | null = null;
let dirty = false;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.runId !== runId) return; // from a run that Reset replaced
  if (m.type === 'ready') {
    ready = m;
    state.ready = true;
    state.backend = m.backend;
    state.threads = m.threads;
    if (ui.backend.options.length === 0) {
      for (const b of m.backends) {
        const label = b === 'wasm' ? `wasm (${m.threads} thread${m.threads > 1 ? 's' : ''})` : b;
        ui.backend.add(new Option(label, b));
      }
    }
    ui.backend.value = m.backend;
  } else if (m.type === 'progress') {
    for (const l of m.losses) state.losses.push(l);
    state.training = m.running;
    state.iteration = m.iteration;
    state.accuracy = m.accuracy;
    if (m.losses.length) state.imagesPerSec = m.imagesPerSec;
    boundary = m.boundary ?? boundary;
    predictions = m.predictions ?? predictions;
  } else if (m.type === 'inspect') {
    if (m.sampleId !== state.sampleId) return; // about a sample since replaced
    inspection = m;
    state.inspections++;
    state.probs = Array.from(m.probs);
    state.prediction = state.probs.indexOf(Math.max(...state.probs));
    state.inspectedAt = m.iteration;
  } else {
    state.error = m.message;
    setRunning(false);
  }
  dirty = true;
};
worker.onerror = (e) => {
  state.error = e.message || 'the Worker failed to load';
  setRunning(false);
  dirty = true;
};

function readConfig(): RunConfig {
  const d = DEFAULTS[ui.dataset.value as DatasetName];
  const lr = Number(ui.learningRate.value);
  return {
    ...d,
    model: ui.model.value as ModelName,
    updateRule: ui.updateRule.value as RunConfig['updateRule'],
    learningRate: lr > 0 ? lr : d.learningRate,
    seed: Math.trunc(Number(ui.seed.value)) || 0,
  };
}

/** Shows a data set's default settings. */
function showDefaults(dataset: DatasetName): void {
  const d = DEFAULTS[dataset];
  ui.model.value = d.model;
  ui.model.disabled = dataset === 'spiral';
  ui.updateRule.value = d.updateRule;
  ui.learningRate.value = String(d.learningRate);
}

function setRunning(running: boolean): void {
  state.running = running;
  ui.toggle.textContent = running ? 'Pause' : 'Start';
}

/** Inspects `image` (784 values) from now on: the Worker answers at once and at each measurement. */
function setSample(image: Float32Array, source: string): void {
  state.sampleId++;
  state.sampleSource = source;
  state.prediction = null;
  state.probs = [];
  sampleImage = image;
  inspection = null;
  send({ type: 'sample', sampleId: state.sampleId, image: image.slice() });
  dirty = true;
}

/** A fresh run with the settings shown. */
function reset(): void {
  setRunning(false);
  state.ready = false;
  state.training = false;
  state.config = readConfig();
  state.losses = [];
  state.iteration = 0;
  state.accuracy = 0;
  state.imagesPerSec = 0;
  state.error = '';
  ready = null;
  boundary = null;
  predictions = null;
  inspection = null;
  state.prediction = null;
  state.probs = [];
  state.inspectedAt = -1;
  document.body.classList.toggle('spiral', state.config.dataset === 'spiral');
  ui.viewCaption.textContent =
    state.config.dataset === 'spiral'
      ? 'Decision boundary'
      : 'Test digits: predicted (click one to inspect it)';
  send({
    type: 'init',
    runId: ++runId,
    config: state.config,
    backend: ui.backend.value,
    mnistUrl: MNIST_URL,
  });
  dirty = true;
}

ui.toggle.onclick = () => {
  setRunning(!state.running);
  send({ type: state.running ? 'start' : 'stop' });
};
ui.reset.onclick = reset;
ui.dataset.onchange = () => {
  showDefaults(ui.dataset.value as DatasetName);
  reset();
};
for (const el of [ui.model, ui.learningRate, ui.seed, ui.backend]) el.onchange = reset;
ui.updateRule.onchange = () => {
  const rule = ui.updateRule.value as RunConfig['updateRule'];
  ui.learningRate.value = String(LEARNING_RATES[ui.dataset.value as DatasetName][rule]);
  reset();
};
ui.view.onclick = (e) => {
  // A test digit clicked (the layout of drawDigits): inspect it.
  if (!ready?.digits || !ready.digitLabels) return;
  const r = ui.view.getBoundingClientRect();
  const x = ((e.clientX - r.left) / r.width) * ui.view.width;
  const y = ((e.clientY - r.top) / r.height) * ui.view.height;
  const size = ui.view.width / DIGIT_COLS;
  const d = Math.floor(y / (size + 12)) * DIGIT_COLS + Math.floor(x / size);
  if (d >= 0 && d < ready.digitLabels.length)
    setSample(ready.digits.slice(d * 784, (d + 1) * 784), `test digit ${d}`);
};
const pad = setupPad(ui.pad, ui.file, (image, source) => {
  if (image) setSample(image, source === 'drawing' ? 'your drawing' : 'your picture');
  else if (source === 'picture') state.error = 'no digit found in that picture';
  dirty = true;
});
ui.clear.onclick = () => pad.clear();
for (let k = 0; k < 10; k++) {
  const li = document.createElement('li');
  li.innerHTML = `<span>${k}</span><span class="bar"><span style="width: 0"></span></span><span class="p">–</span>`;
  ui.probs.append(li);
}

ui.ping.onclick = () => {
  state.pings++;
  ui.pings.textContent = String(state.pings);
};

/**
 * The loss curve: a line through the mean loss of the iterations under each pixel column, over a light
 * band from their smallest to their largest (minibatch noise).
 */
function drawLossCurve(losses: number[]): void {
  const c = ui.lossCurve;
  const g = c.getContext('2d')!;
  const pad = { left: 44, right: 10, top: 10, bottom: 24 };
  const w = c.width - pad.left - pad.right;
  const h = c.height - pad.top - pad.bottom;
  g.clearRect(0, 0, c.width, c.height);
  const firsts = losses.slice(0, 50).filter(Number.isFinite);
  const yMax = firsts.length ? Math.max(...firsts) * 1.05 : 1;
  const xMax = Math.max(losses.length, 100);
  g.strokeStyle = '#999';
  g.fillStyle = '#555';
  g.font = '11px system-ui, sans-serif';
  g.strokeRect(pad.left, pad.top, w, h);
  for (const f of [0, 0.5, 1]) g.fillText((yMax * f).toFixed(2), 4, pad.top + h * (1 - f) + 4);
  g.fillText('0', pad.left, c.height - 8);
  g.fillText(String(xMax), pad.left + w - 7 * String(xMax).length, c.height - 8);
  const px = (i: number) => pad.left + (i / xMax) * w;
  const py = (v: number) => pad.top + h * (1 - Math.min(Math.max(v, 0), yMax) / yMax);
  // Columns of iterations [a, b): one per pixel, or one per iteration when there are fewer.
  const step = Math.max(1, xMax / w);
  const line: [number, number][] = [];
  g.fillStyle = '#c4dcf6';
  for (let from = 0; from < losses.length; from += step) {
    const a = Math.floor(from);
    const b = Math.min(losses.length, Math.max(a + 1, Math.floor(from + step)));
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let i = a; i < b; i++) {
      lo = Math.min(lo, losses[i]);
      hi = Math.max(hi, losses[i]);
      sum += losses[i];
    }
    if (b - a > 1) g.fillRect(px(a), py(hi), Math.max(1, px(b) - px(a)), py(lo) - py(hi));
    line.push([px((a + b - 1) / 2), py(sum / (b - a))]);
  }
  g.strokeStyle = '#1565c0';
  g.lineWidth = 1.5;
  g.beginPath();
  for (const [x, y] of line) g.lineTo(x, y);
  g.stroke();
  g.lineWidth = 1;
}

/** The spiral: the predicted class of each grid cell, and the training points on top. */
function drawBoundary(points: NonNullable<Ready['points']>, boundary: Uint8Array | null): void {
  const c = ui.view;
  const g = c.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, c.width, c.height);
  const extent = 1.1; // as TrainingRun.boundary
  if (boundary) {
    if (gridOf !== boundary) {
      gridOf = boundary;
      const n = Math.round(Math.sqrt(boundary.length));
      grid.width = grid.height = n;
      const img = new ImageData(n, n);
      for (let i = 0; i < boundary.length; i++) {
        const [r, gr, b] = LIGHT[boundary[i] % LIGHT.length];
        img.data[4 * i] = r;
        img.data[4 * i + 1] = gr;
        img.data[4 * i + 2] = b;
        img.data[4 * i + 3] = 255;
      }
      grid.getContext('2d')!.putImageData(img, 0, 0);
    }
    g.imageSmoothingEnabled = false;
    g.drawImage(grid, 0, 0, c.width, c.height);
  }
  for (let k = 0; k < points.labels.length; k++) {
    const x = ((points.xy[2 * k] + extent) / (2 * extent)) * c.width;
    const y = ((extent - points.xy[2 * k + 1]) / (2 * extent)) * c.height;
    g.fillStyle = STRONG[points.labels[k] % STRONG.length];
    g.beginPath();
    g.arc(x, y, 2.5, 0, 2 * Math.PI);
    g.fill();
  }
}

const DIGIT_COLS = 6;

/** MNIST: the first test digits, each with its predicted label (green when right, red when wrong). */
function drawDigits(digits: Float32Array, labels: Int32Array, predictions: Int32Array | null): void {
  const c = ui.view;
  const g = c.getContext('2d')!;
  const cols = DIGIT_COLS;
  const size = c.width / cols;
  const at = (d: number) => [(d % cols) * size + (size - 28) / 2, Math.floor(d / cols) * (size + 12) + 4];
  if (digitsOf !== digits) {
    // The images, dark on white, once per run; only the labels change as the net learns.
    digitsOf = digits;
    digitSheet.width = c.width;
    digitSheet.height = c.height;
    const sg = digitSheet.getContext('2d')!;
    sg.fillStyle = '#fff';
    sg.fillRect(0, 0, c.width, c.height);
    const img = sg.createImageData(28, 28);
    for (let d = 0; d < labels.length; d++) {
      for (let p = 0; p < 784; p++) {
        const v = 255 - Math.round(digits[d * 784 + p] * 255);
        img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = v;
        img.data[4 * p + 3] = 255;
      }
      const [x, y] = at(d);
      sg.putImageData(img, x, y);
    }
  }
  g.drawImage(digitSheet, 0, 0);
  if (!predictions) return;
  g.font = 'bold 13px system-ui, sans-serif';
  for (let d = 0; d < labels.length; d++) {
    const [x, y] = at(d);
    g.fillStyle = predictions[d] === labels[d] ? STRONG[2] : STRONG[0];
    g.fillText(String(predictions[d]), x + 10, y + 44);
  }
}

function render(): void {
  ui.iteration.textContent = String(state.iteration);
  const lossNow = state.losses.at(-1);
  ui.loss.textContent = lossNow === undefined ? '–' : lossNow.toFixed(4);
  ui.accuracy.textContent = state.ready ? `${(state.accuracy * 100).toFixed(1)}%` : '–';
  ui.rate.textContent = state.imagesPerSec ? Math.round(state.imagesPerSec).toLocaleString('en') : '–';
  ui.error.textContent = state.error;
  drawLossCurve(state.losses);
  if (ready?.points) drawBoundary(ready.points, boundary);
  else if (ready?.digits && ready.digitLabels) {
    drawDigits(ready.digits, ready.digitLabels, predictions);
    renderInside(sampleImage ?? ready.digits.subarray(0, 784));
  }
}

/** The sample, the filters and feature maps of the latest inspection, and the class probabilities. */
function renderInside(image: Float32Array): void {
  drawDigit(ui.input, image);
  ui.inputCaption.textContent = `Input: ${state.sampleSource}`;
  const m = inspection;
  if (m?.filters) {
    const f = m.filters;
    drawGrid(ui.filters, f, f.channels <= 8 ? 4 : 8, true);
    ui.filtersCaption.textContent =
      f.name === 'filters'
        ? `First-layer filters, ${f.height}×${f.width} (red +, blue −)`
        : `Weights of ${f.channels} hidden units (red +, blue −)`;
    state.filtersDrawn++;
  } else clearCanvas(ui.filters);
  [ui.maps1, ui.maps2].forEach((c, i) => {
    const fm = m?.maps[i];
    if (fm) {
      drawGrid(c, fm, Math.ceil(fm.channels / 2), false); // two rows
      state.mapsDrawn++;
    } else clearCanvas(c);
  });
  ui.prediction.textContent = state.prediction === null ? '–' : String(state.prediction);
  const top = state.prediction;
  ui.probs.querySelectorAll('li').forEach((li, k) => {
    const p = state.probs[k];
    li.classList.toggle('top', k === top);
    (li.querySelector('.bar span') as HTMLElement).style.width = `${p === undefined ? 0 : p * 100}%`;
    li.querySelector('.p')!.textContent = p === undefined ? '–' : `${(p * 100).toFixed(1)}%`;
  });
}

/** Redraws at most once per frame, and counts frames (they stop if the page's thread is blocked). */
function frame(): void {
  state.frames++;
  if (state.frames % 10 === 0) ui.frames.textContent = String(state.frames);
  if (dirty) {
    dirty = false;
    render();
  }
  requestAnimationFrame(frame);
}

showDefaults('mnist');
reset();
requestAnimationFrame(frame);
