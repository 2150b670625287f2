/** `nabla gradcheck` (in progress). */
import { RunStopped } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export async function gradcheckCommand(opts: unknown): Promise<void> {
  throw new RunStopped('gradcheck: not implemented yet');
}
