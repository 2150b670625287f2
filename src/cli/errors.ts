/**
 * Errors the CLI turns into exit statuses. A UsageError is the user's to fix (an unknown option, model or
 * data set, a malformed value): it prints one line and exits with status 2, as command-line tools do.
 * Anything else is a failure of the run (status 1).
 */
import { DataUnavailableError } from '../data/errors.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A run stopped on purpose (loss became NaN or exploded): status 1 with the message only, no stack.
 * A data set that is not here (the data layer's DataUnavailableError) stops a run the same way, so
 * `err instanceof RunStopped` is true for it too: every handler treats both alike.
 */
export class RunStopped extends Error {
  override name = 'RunStopped';

  static override [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || x instanceof DataUnavailableError;
  }
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Conventional status of a process ended by SIGINT (128 + 2); used after the checkpoint is saved. */
export const EXIT_INTERRUPTED = 130;

/**
 * The signals that stop a long command cleanly (train, sweep) and the status it then exits with: 128 + the
 * signal's number, what a shell reports for a process ended by it.
 */
export const STOP_SIGNALS = { SIGINT: EXIT_INTERRUPTED, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;
