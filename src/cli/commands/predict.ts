/** `nabla predict` (in progress). */
import { RunStopped } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export async function predictCommand(run: string, images: string[], opts: unknown): Promise<void> {
  throw new RunStopped('predict: not implemented yet');
}
