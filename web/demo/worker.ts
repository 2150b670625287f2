/**
 * The demo's training Worker: all the numerical work happens here, so the page's thread stays free.
 *
 * Messages (see protocol.ts): 'init' builds the data and a fresh model and answers 'ready' (then a first
 * 'progress'); 'start' trains, 'stop' pauses (and reports the final accuracy and picture); 'sample' sets the
 * image to inspect and answers 'inspect' (probabilities, feature maps, filters), as each measurement does. Training runs in
 * slices of about SLICE_MS, each ended by a 'progress' message and a macrotask boundary (setTimeout 0), so
 * a 'stop', queued as a message, is seen within one slice.
 */
import {
  listBackends,
  setBackend,
  backend,
  initThreads,
  threadCount,
  type NDArray,
} from '../../src/browser.js';
import { TrainingRun, mnistData, spiralData, type Dataset } from './trainer.js';
import { MNIST_SIZES, type FromWorker, type Sample, type ToWorker } from './protocol.js';

const SLICE_MS = 50;
/** Least time between two measurements of accuracy and pictures... */
const VIEW_MS = { spiral: 250, mnist: 1000 };
/** ...and at least this many times the last measurement took, so measuring costs at most ~1/5 of the time. */
const VIEW_COST = 4;
/** The boundary's grid: BOUNDARY_SIZE² points. */
const BOUNDARY_SIZE = 64;
/** Test images whose predictions are sent with each progress message (MNIST). */
const SAMPLE_DIGITS = 24;

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, { transfer });

let run: TrainingRun | null = null;
/** The run of the latest 'init'; a slice or message of an older run is dropped. */
let runId = 0;
let running = false;
let mnistBytes: Promise<Uint8Array> | null = null;
/** The last accuracy measured, and when the next measurement is due. */
let views = { accuracy: 0, next: -Infinity };
/** The image the page inspects (MNIST); null: the first test digit. */
let sample: Omit<Sample, 'type'> | null = null;

function loadMnistBytes(url: string): Promise<Uint8Array> {
  mnistBytes ??= fetch(url).then(async (r) => {
    if (!r.ok) throw new Error(`mnist.bin: HTTP ${r.status} (run npm run build:web)`);
    return new Uint8Array(await r.arrayBuffer());
  });
  return mnistBytes;
}

async function init(m: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  running = false;
  run = null;
  views = { accuracy: 0, next: -Infinity };
  runId = m.runId;
  if (m.backend) setBackend(m.backend);
  // Kernel threads where the page is cross-origin isolated (nabla demo sends COOP/COEP), else one: at once.
  await initThreads();
  const { dataset, seed } = m.config;
  const data: Dataset =
    dataset === 'spiral'
      ? spiralData(seed)
      : mnistData(await loadMnistBytes(m.mnistUrl), MNIST_SIZES.train, MNIST_SIZES.test);
  if (m.runId !== runId) return; // a newer 'init' came while MNIST loaded
  run = new TrainingRun(m.config, data);
  const startNow = running; // a 'start' came while the data loaded
  const sample = (a: NDArray) => (dataset === 'mnist' ? a.slice(`:${SAMPLE_DIGITS}`).toTypedArray() : null);
  post({
    type: 'ready',
    runId,
    backends: listBackends(),
    backend: backend().name,
    threads: threadCount(),
    points:
      dataset === 'spiral'
        ? { xy: data.XTrain.toTypedArray() as Float32Array, labels: data.yTrain.toTypedArray() as Int32Array }
        : null,
    digits: sample(data.XVal) as Float32Array | null,
    digitLabels: sample(data.yVal) as Int32Array | null,
  });
  report(run, [], 0, true);
  if (startNow) slice(runId);
}

/** Trains for one slice and reports it; then schedules the next. */
function slice(id: number): void {
  if (!running || !run || id !== runId) return;
  const t0 = performance.now();
  const losses: number[] = [];
  let loss = 0;
  try {
    while (performance.now() - t0 < SLICE_MS && Number.isFinite(loss)) losses.push((loss = run.step()));
    if (!Number.isFinite(loss)) running = false; // diverged: stop, report, and say why
    report(run, losses, (performance.now() - t0) / 1000, !running);
  } catch (err) {
    running = false;
    post({ type: 'error', runId, message: (err as Error).message });
    return;
  }
  if (!running) {
    const message = `the loss is ${loss} at iteration ${run.iteration}: training diverged; try a smaller learning rate`;
    post({ type: 'error', runId, message });
    return;
  }
  setTimeout(() => slice(id), 0);
}

/**
 * Posts a progress message. Accuracy and the pictures (the boundary, the digits' predictions) cost a
 * forward pass over many points, so they are measured at most every VIEW_MS (and VIEW_COST times what the
 * last measurement took), or now when `fresh`. MNIST measurements also inspect the sample.
 */
function report(run: TrainingRun, losses: number[], seconds: number, fresh: boolean): void {
  const spiral = run.config.dataset === 'spiral';
  const t0 = performance.now();
  const measure = fresh || t0 >= views.next;
  const { XVal, yVal } = run.data;
  let accuracy = views.accuracy;
  if (measure) accuracy = run.accuracy(XVal, yVal);
  const boundary = measure && spiral ? run.boundary(BOUNDARY_SIZE) : null;
  const predictions = measure && !spiral ? run.predict(XVal.slice(`:${SAMPLE_DIGITS}`)) : null;
  if (measure) {
    const took = performance.now() - t0;
    views = { accuracy, next: performance.now() + Math.max(VIEW_MS[run.config.dataset], VIEW_COST * took) };
  }
  post(
    {
      type: 'progress',
      runId,
      running,
      iteration: run.iteration,
      losses,
      accuracy,
      imagesPerSec: seconds > 0 ? (losses.length * run.batchSize) / seconds : 0,
      boundary,
      predictions,
    },
    boundary ? [boundary.buffer] : [],
  );
  if (measure && !spiral) inspect(run);
}

/** Posts what the net makes of the sample (the first test digit until the page sends another). */
function inspect(run: TrainingRun): void {
  const image = sample?.image ?? (run.data.XVal.slice('0').toTypedArray() as Float32Array);
  const result = run.inspect(image);
  const transfer = [result.probs.buffer, ...result.maps.map((m) => m.data.buffer)];
  if (result.filters) transfer.push(result.filters.data.buffer);
  post(
    { type: 'inspect', runId, sampleId: sample?.sampleId ?? 0, iteration: run.iteration, ...result },
    transfer as ArrayBuffer[],
  );
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'init') {
    init(m).catch((err: Error) => {
      running = false;
      post({ type: 'error', runId: m.runId, message: err.message });
    });
  } else if (m.type === 'start' && !running) {
    running = true;
    if (run) slice(runId); // else init() starts once the run is built
  } else if (m.type === 'stop' && running) {
    running = false;
    if (run) report(run, [], 0, true); // the final accuracy and picture
  } else if (m.type === 'sample') {
    sample = { sampleId: m.sampleId, image: m.image };
    if (run && run.config.dataset === 'mnist') {
      try {
        inspect(run);
      } catch (err) {
        post({ type: 'error', runId, message: (err as Error).message });
      }
    }
  }
};
