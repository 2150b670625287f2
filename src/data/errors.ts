/** Errors of the data layer that callers tell apart (the CLI prints them as one line, status 1). */

/** A data set that is not on this machine, or holds no images: the message says how to get it. */
export class DataUnavailableError extends Error {
  override name = 'DataUnavailableError';
}
