/**
 * The run being trained, as the dashboard streams it: the training job's events (trainJob.ts) are kept as
 * the run's state and sent to every open page as Server-Sent Events (their names and data: LiveEvents in
 * protocol.ts). A page that connects late first gets the whole state so far (`state`), then each event as it
 * comes; iterations are batched per event-loop turn.
 *
 * Training runs in this thread and yields to the event loop every ~200 ms (see trainJob.ts), which is when
 * the batched iterations go out.
 */
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { classTemplates, encodePng, visualizeGrid } from '../../vis/grid.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { predictLabels } from '../../solver/solver.js';
import { firstLayerImages } from '../runReport.js';
import type { JobEvent, JobResult, ModelView, RunPicture } from '../train/job.js';
import type {
  LiveDone,
  LiveEpoch,
  LiveEvents,
  LivePoint,
  LiveStart,
  LiveState,
  ModelPictures,
} from './protocol.js';

/** How many test images the dashboard shows predictions for. */
export const SAMPLE_COUNT = 16;

const dataUrl = (png: Uint8Array): string => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/** The pictures of a model at one moment: its first-layer weights and its guesses on the first test images. */
export function modelPictures(v: ModelView, sampleImages: string[] | null): ModelPictures {
  let filters: NDArray | null;
  let caption = '';
  if (v.modelName === 'svm' || v.modelName === 'softmax') {
    filters = classTemplates(v.model.params.W, v.imageShape);
    caption = 'class templates (weights of each class)';
  } else {
    filters = firstLayerImages(v.model, v.imageShape);
    if (filters)
      caption = `${filters.shape[0]} first-layer filters of ${filters.shape[1]}x${filters.shape[2]}`;
  }
  let filtersUrl: string | null = null;
  if (filters) {
    const scale = Math.max(1, Math.round(32 / filters.shape[1]));
    filtersUrl = dataUrl(encodePng(visualizeGrid(filters, { padding: 1, scale }).image));
  }
  const n = Math.min(SAMPLE_COUNT, v.XTest.shape[0]);
  let samples: ModelPictures['samples'] = null;
  if (n > 0) {
    const predicted = Array.from(predictLabels(v.model, v.XTest.slice(`0:${n}`)).toTypedArray(), Number);
    const truth = Array.from(v.yTest.slice(`0:${n}`).toTypedArray(), Number);
    const images =
      sampleImages ??
      Array.from({ length: n }, (_, i) =>
        dataUrl(encodePng(visualizeGrid(v.rawTest.slice(`${i}:${i + 1}`), { padding: 0 }).image)),
      );
    samples = { images, predicted, truth };
  }
  return { epoch: v.epoch, iteration: v.iteration, filters: filtersUrl, filtersCaption: caption, samples };
}

export class LiveRun {
  readonly state: LiveState;
  private readonly clients = new Set<ServerResponse>();
  private pending: LivePoint[] = [];
  private flushScheduled = false;
  private sampleImages: string[] | null = null;
  private keepAlive: NodeJS.Timeout | null = null;

  /** runDir: the run's folder; its name is the run's id in the runs list. */
  constructor(readonly runDir: string) {
    this.state = {
      run: path.basename(runDir),
      status: 'starting',
      start: null,
      points: [],
      epochs: [],
      model: null,
      classNames: [],
      log: [],
      done: null,
      failed: null,
    };
  }

  get name(): string {
    return this.state.run;
  }

  /** Takes one of the training job's events (pass it as JobHooks.emit, beside the terminal's handler). */
  onJobEvent(e: JobEvent): void {
    switch (e.type) {
      case 'start': {
        const { type: _type, config, ...rest } = e;
        const start: LiveStart = { ...rest, config: { ...config } };
        this.state.start = start;
        this.state.status = 'training';
        this.flush();
        this.send('start', start);
        break;
      }
      case 'iteration': {
        const p: LivePoint = [e.iteration, finite(e.loss), finite(e.imagesPerSec) ?? 0, finite(e.accuracy)];
        this.state.points.push(p);
        this.pending.push(p);
        this.scheduleFlush();
        break;
      }
      case 'epoch': {
        const rec: LiveEpoch = {
          epoch: e.epoch,
          iteration: e.iteration,
          trainAcc: finite(e.trainAcc),
          valAcc: finite(e.valAcc),
        };
        this.state.epochs.push(rec);
        this.flush();
        this.send('epoch', rec);
        break;
      }
      case 'log':
        this.state.log.push(e.line);
        this.send('log', { line: e.line });
        break;
      case 'stopped':
        break;
    }
  }

  /** Takes the model after each accuracy check (pass it as JobHooks.onModel). */
  onModel(v: ModelView): void {
    const pictures = modelPictures(v, this.sampleImages);
    this.sampleImages = pictures.samples?.images ?? null;
    this.state.model = pictures;
    this.state.classNames = v.classNames;
    this.flush();
    this.send('model', pictures);
  }

  /** Takes a picture of the run (pass it as JobHooks.onPicture): shown where a classifier's weights are. */
  onPicture(p: RunPicture): void {
    const pictures: ModelPictures = {
      epoch: p.epoch,
      iteration: p.iteration,
      filters: dataUrl(p.png),
      filtersCaption: p.caption,
      samples: null,
    };
    this.state.model = pictures;
    this.flush();
    this.send('model', pictures);
  }

  /** The run finished: its test result and confusion matrix. */
  finish(r: JobResult, reportUrl: string | null): void {
    const done: LiveDone = {
      testAccuracy: r.testAccuracy,
      count: r.evaluation.count,
      perClass: r.evaluation.perClass.map((v) => finite(v)),
      confusion: r.evaluation.confusion,
      classNames: r.classNames,
      trainSeconds: r.trainSeconds,
      imagesPerSec: r.imagesPerSec,
      report: reportUrl,
    };
    this.flush();
    this.state.done = done;
    this.state.status = 'done';
    this.send('done', done);
  }

  /** The run stopped without a result (diverged, interrupted, an error). */
  fail(message: string): void {
    this.flush();
    this.state.failed = message;
    this.state.status = 'failed';
    this.send('failed', { message });
  }

  /** Turns a response into an event stream: the state so far, then every event until the page goes. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    this.flush();
    res.write(`retry: 1000\n`);
    res.write(frame<'state'>('state', this.state));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    // A comment now and then keeps proxies and idle timeouts from closing a quiet stream.
    this.keepAlive ??= setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, 15_000).unref();
  }

  /** Ends every open stream (the server is closing). */
  close(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private send<K extends keyof LiveEvents>(event: K, data: LiveEvents[K]): void {
    const f = frame(event, data);
    for (const c of this.clients) c.write(f);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends the iterations gathered since the last flush as one event. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const points = this.pending;
    this.pending = [];
    this.send('iterations', { points });
  }
}

/** One SSE message. JSON never contains a raw newline, so the data fits on one `data:` line. */
function frame<K extends keyof LiveEvents>(event: K, data: LiveEvents[K]): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
