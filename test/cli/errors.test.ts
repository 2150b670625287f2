/** The CLI's error kinds: a data set that is not here stops a command as a RunStopped does. */
import { describe, expect, it } from 'vitest';
import { DataUnavailableError } from '../../src/data/errors.js';
import { RunStopped, UsageError } from '../../src/cli/errors.js';

describe('RunStopped', () => {
  it('counts a DataUnavailableError as a stop (one line, status 1), and nothing else', () => {
    expect(new DataUnavailableError('CIFAR-10 is not here')).toBeInstanceOf(RunStopped);
    expect(new RunStopped('x')).toBeInstanceOf(RunStopped);
    expect(new Error('x')).not.toBeInstanceOf(RunStopped);
    expect(new UsageError('x')).not.toBeInstanceOf(RunStopped);
    expect(new RunStopped('x')).not.toBeInstanceOf(DataUnavailableError);
  });
});
