/**
 * The training progress display. On a terminal: one live line (cli-progress) with the epoch, a bar, loss,
 * accuracy, images/s and the time left. Elsewhere (a pipe, a file, CI): plain log lines at a steady pace,
 * so logs stay readable and greppable.
 */
import cliProgress from 'cli-progress';

export interface ProgressState {
  /** Iterations done so far (1-based after the first step). */
  iteration: number;
  epoch: number;
  loss: number;
  /** Accuracy to show (running minibatch accuracy, or the last validation accuracy), if known. */
  accuracy?: number;
  /** Training throughput, smoothed. */
  imagesPerSec: number;
}

export interface ProgressOptions {
  totalIterations: number;
  numEpochs: number;
  iterationsPerEpoch: number;
  /** Live line when true; plain lines when false. Default: whether the stream is a TTY. */
  tty?: boolean;
  /** Nothing at all (the final summary is printed by the command). */
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
  /** Plain mode: a line at least every this many iterations... */
  logEvery?: number;
  /** ...or every this many seconds, whichever comes first (default 10). */
  logSeconds?: number;
  /** A time budget (`--minutes`) left from start(): training ends when it runs out, so the ETA is at most it. */
  budgetSeconds?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Epoch as shown: the current epoch, 1-based, over the total ("1/1"). */
function epochLabel(s: ProgressState, o: ProgressOptions): string {
  const e = Math.min(o.numEpochs, Math.floor((s.iteration - 1) / o.iterationsPerEpoch) + 1);
  return `${Math.max(1, e)}/${Math.ceil(o.numEpochs)}`;
}

/** One plain progress line, e.g. "epoch 1/1  iter 100/938  loss 0.4123  acc 89.1%  1,234 img/s  ETA 1m02s". */
export function formatProgressLine(s: ProgressState, o: ProgressOptions, etaSeconds: number): string {
  const parts = [
    `epoch ${epochLabel(s, o)}`,
    `iter ${s.iteration}/${o.totalIterations}`,
    `loss ${formatLoss(s.loss)}`,
    s.accuracy === undefined ? '' : `acc ${(100 * s.accuracy).toFixed(1)}%`,
    `${Math.round(s.imagesPerSec).toLocaleString('en-US')} img/s`,
    `ETA ${formatDuration(etaSeconds)}`,
  ];
  return parts.filter(Boolean).join('  ');
}

export function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) >= 1000 ? loss.toExponential(2) : loss.toFixed(4);
}

export class TrainingProgress {
  private readonly opts: ProgressOptions;
  private readonly tty: boolean;
  private readonly stream: NodeJS.WriteStream;
  private bar: cliProgress.SingleBar | null = null;
  private lastLogTime = 0;
  private lastLogIter = 0;
  private startTime = Date.now();
  private startIter = 0;

  constructor(opts: ProgressOptions) {
    this.opts = opts;
    this.stream = opts.stream ?? process.stdout;
    this.tty = opts.tty ?? !!this.stream.isTTY;
  }

  /** Starts the clock; `fromIteration` > 0 when resuming, so the ETA counts only what is left. */
  start(fromIteration = 0): void {
    this.startTime = Date.now();
    this.lastLogTime = this.startTime;
    this.startIter = fromIteration;
    this.lastLogIter = fromIteration;
    if (this.opts.quiet || !this.tty) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format:
          'epoch {epochLabel} {bar} {percentage}% | loss {lossText} | {accText}{speed} img/s | ETA {etaText}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        fps: 8,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(
      this.opts.totalIterations,
      fromIteration,
      this.payload({ iteration: fromIteration, epoch: 0, loss: NaN, imagesPerSec: 0 }),
    );
  }

  private eta(iteration: number): number {
    const done = iteration - this.startIter;
    if (done <= 0) return NaN;
    const elapsed = (Date.now() - this.startTime) / 1000;
    const byIterations = (elapsed / done) * (this.opts.totalIterations - iteration);
    return Math.min(byIterations, Math.max(0, (this.opts.budgetSeconds ?? Infinity) - elapsed));
  }

  private payload(s: ProgressState): Record<string, string> {
    return {
      epochLabel: s.iteration > 0 ? epochLabel(s, this.opts) : `1/${Math.ceil(this.opts.numEpochs)}`,
      lossText: Number.isNaN(s.loss) && s.iteration === 0 ? '-' : formatLoss(s.loss),
      accText: s.accuracy === undefined ? '' : `acc ${(100 * s.accuracy).toFixed(1)}% | `,
      speed: Math.round(s.imagesPerSec).toLocaleString('en-US'),
      etaText: formatDuration(this.eta(s.iteration)),
    };
  }

  update(s: ProgressState): void {
    if (this.opts.quiet) return;
    if (this.bar) {
      this.bar.update(s.iteration, this.payload(s));
      return;
    }
    const now = Date.now();
    const every = this.opts.logEvery ?? Math.max(1, Math.round(this.opts.totalIterations / 20));
    const last = s.iteration === this.opts.totalIterations;
    if (
      last ||
      s.iteration - this.lastLogIter >= every ||
      now - this.lastLogTime >= (this.opts.logSeconds ?? 10) * 1000
    ) {
      this.lastLogIter = s.iteration;
      this.lastLogTime = now;
      this.stream.write(formatProgressLine(s, this.opts, this.eta(s.iteration)) + '\n');
    }
  }

  /** Prints a message on its own line without breaking the live line. */
  log(line: string): void {
    if (this.opts.quiet) return;
    if (this.bar) {
      // Clear the live line, print, and let the next update redraw the bar under the message.
      this.stream.write('\r\x1b[2K' + line + '\n');
    } else {
      this.stream.write(line + '\n');
    }
  }

  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}
