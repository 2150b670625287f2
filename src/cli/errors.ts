/**
 * Errors the CLI turns into exit statuses. A UsageError is the user's to fix (an unknown option, model or
 * data set, a malformed value): it prints one line and exits with status 2, as command-line tools do.
 * Anything else is a failure of the run (status 1).
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A run stopped on purpose (loss became NaN or exploded): status 1 with the message only, no stack. */
export class RunStopped extends Error {
  override name = 'RunStopped';
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Conventional status of a process ended by SIGINT (128 + 2); used after the checkpoint is saved. */
export const EXIT_INTERRUPTED = 130;
