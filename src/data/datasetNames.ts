/**
 * The registry's names (registry.ts re-exports them), in a module with no loaders behind it, so the CLI can
 * check `--data` without loading them (that keeps `nabla --help` fast).
 */
import type { DatasetName } from './download.js';

export type { DatasetName };

/** The built-in data sets, in the order help texts list them. */
export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10'] as const satisfies readonly DatasetName[];

/** The offline captioning set (images of digit rows with their captions; see mnistCaptions.ts). */
export const CAPTION_DATASET_NAMES = ['mnist-captions'] as const;

/**
 * A data set: a built-in name, or a folder / archive of split/class/image files (or, for captioning models,
 * a folder of the course's COCO files).
 */
export type DataSpec =
  | { kind: 'builtin'; name: DatasetName | (typeof CAPTION_DATASET_NAMES)[number] }
  | { kind: 'path'; path: string };

/** The data set's name as the user gave it. */
export function dataLabel(spec: DataSpec): string {
  return spec.kind === 'builtin' ? spec.name : spec.path;
}
