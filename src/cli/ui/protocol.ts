/**
 * What the dashboard's server (server.ts, live.ts, runs.ts) and its page (web/dashboard/) say to each other:
 * the JSON of /api/runs and /api/runs/<run>, and the Server-Sent Events of /api/events. Both sides import
 * these types from here, so a change to the wire is one edit that the type checker follows to both ends.
 *
 * Types only, with no imports: the page (built for the browser) takes nothing of Node from it. It lives with
 * the server under src/cli/ui, the command's layer, because it describes that command's API; the library's
 * lower layers (src/vis and below) know nothing of commands and runs folders.
 *
 * Numbers that may be NaN or infinite travel as null: JSON has neither.
 */

/** How a run folder ended, read from its files (metrics.jsonl's test record or last event). */
export type RunStatus = 'done' | 'training' | 'interrupted' | 'diverged' | 'incomplete';

/** One row of the runs list. */
export interface RunSummary {
  /** The folder's name, also its id in URLs. */
  name: string;
  model: string;
  data: string;
  /** When the folder was created (its name's timestamp, else the folder's mtime), ISO 8601. */
  created: string;
  status: RunStatus;
  /** Iterations logged so far. */
  iterations: number;
  /** Completed epochs (the last epoch record). */
  epochs: number;
  testAccuracy: number | null;
  bestValAcc: number | null;
}

/** GET /api/runs: the runs, newest first, and the name of the run this server trains (if any). */
export interface RunsIndex {
  live: string | null;
  runs: RunSummary[];
}

export interface EpochRecord {
  epoch: number;
  iteration: number;
  trainAcc: number;
  valAcc: number;
}

/** GET /api/runs/<run>: one run's history and settings. */
export interface RunDetail extends RunSummary {
  /** config.json's job, with the resolved settings from the checkpoint when there is one. */
  config: Record<string, unknown>;
  /** Loss per iteration: iteration[i] and loss[i] (non-finite losses as null). */
  iteration: number[];
  /** The epoch (fractional) at each iteration: runs with different batch sizes compare on this axis. */
  epoch: number[];
  loss: (number | null)[];
  epochRecords: EpochRecord[];
  test: { accuracy: number; perClass: (number | null)[]; count: number } | null;
  /** URLs (relative to the server root) of the report's pictures that exist. */
  images: Partial<
    Record<'report' | 'loss' | 'accuracy' | 'confusion' | 'filters' | 'samples' | 'templates', string>
  >;
}

/** One iteration of the live run: [iteration, loss, imagesPerSec, probe accuracy (null between probes)]. */
export type LivePoint = [number, number | null, number, number | null];

/** The `start` event: the run's size and its resolved settings (flags over the model's defaults). */
export interface LiveStart {
  totalIterations: number;
  iterationsPerEpoch: number;
  numEpochs: number;
  fromIteration: number;
  batchSize: number;
  config: Record<string, unknown>;
}

/** The `epoch` event: accuracies after an accuracy check (iteration 1, then each epoch's end). */
export interface LiveEpoch {
  epoch: number;
  iteration: number;
  trainAcc: number | null;
  valAcc: number | null;
}

/** The `model` event: the model's pictures at one moment. */
export interface ModelPictures {
  epoch: number;
  iteration: number;
  /** First-layer weights (conv filters, first affine units) or class templates of linear models. */
  filters: string | null;
  filtersCaption: string;
  samples: { images: string[]; predicted: number[]; truth: number[] } | null;
}

/** The `done` event: the test result. */
export interface LiveDone {
  testAccuracy: number;
  count: number;
  perClass: (number | null)[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  classNames: string[];
  trainSeconds: number;
  imagesPerSec: number;
  /** The report's URL, when one was written. */
  report: string | null;
}

/** The live run as a whole: the `state` event a page gets first, then kept up to date by the others. */
export interface LiveState {
  run: string;
  status: 'starting' | 'training' | 'done' | 'failed';
  start: LiveStart | null;
  points: LivePoint[];
  epochs: LiveEpoch[];
  model: ModelPictures | null;
  classNames: string[];
  log: string[];
  done: LiveDone | null;
  failed: string | null;
}

/** GET /api/events: each Server-Sent Event's name and its data. */
export interface LiveEvents {
  state: LiveState;
  start: LiveStart;
  /** The iterations since the last event, batched per event-loop turn. */
  iterations: { points: LivePoint[] };
  epoch: LiveEpoch;
  model: ModelPictures;
  log: { line: string };
  done: LiveDone;
  failed: { message: string };
}
