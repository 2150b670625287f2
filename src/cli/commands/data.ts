/** `nabla data list|info|download` (in progress). */
import type { DataSpec } from '../choices.js';
import { RunStopped } from '../errors.js';

export async function dataList(): Promise<void> {
  throw new RunStopped('data list: not implemented yet');
}
export async function dataInfo(_d: DataSpec): Promise<void> {
  throw new RunStopped('data info: not implemented yet');
}
export async function dataDownload(_name: string, _opts: unknown): Promise<void> {
  throw new RunStopped('data download: not implemented yet');
}
