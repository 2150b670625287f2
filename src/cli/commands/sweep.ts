/** `nabla sweep` (in progress). */
import { RunStopped } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export async function sweepCommand(opts: unknown): Promise<void> {
  throw new RunStopped('sweep: not implemented yet');
}
