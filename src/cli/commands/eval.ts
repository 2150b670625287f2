/** `nabla eval` (in progress). */
import { RunStopped } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export async function evalCommand(run: string, opts: unknown): Promise<void> {
  throw new RunStopped('eval: not implemented yet');
}
