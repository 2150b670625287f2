/** `nabla train` (in progress). */
import { RunStopped } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export async function trainCommand(opts: unknown): Promise<void> {
  throw new RunStopped('train: not implemented yet');
}
