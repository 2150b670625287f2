/**
 * A trial's run folder as one zip (fflate), so a queue worker can hand it to the coordinator and to the
 * worker that continues it through Redis: config.json, metrics.jsonl, the checkpoint and the report.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { RUN_FILES } from '../runDir.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/**
 * The folder zipped; when that is over `limit` bytes, zipped again without the checkpoint's arrays (the
 * metrics and report stay). Null when even that is over.
 */
export function packRunDir(
  dir: string,
  limit: number,
): { bytes: Uint8Array; withCheckpoint: boolean } | null {
  const all = files(dir).filter((f) => !/\.tmp/.test(f));
  const zip = (keep: (f: string) => boolean): Uint8Array => {
    const entries: Zippable = {};
    for (const f of all.filter(keep)) entries[relative(dir, f).split('\\').join('/')] = readFileSync(f);
    // Arrays and images are compressed already or barely compress: store, fast.
    return zipSync(entries, { level: 0 });
  };
  const full = zip(() => true);
  if (full.length <= limit) return { bytes: full, withCheckpoint: true };
  const ckpt = [RUN_FILES.checkpointNpz, RUN_FILES.checkpointJson];
  const light = zip((f) => !ckpt.some((c) => f.endsWith(c)));
  return light.length <= limit ? { bytes: light, withCheckpoint: false } : null;
}

/** Replaces the folder's content with the zip's. */
export function unpackRunDir(bytes: Uint8Array, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(unzipSync(bytes))) {
    const p = join(dir, name);
    if (relative(dir, p).startsWith('..')) continue; // a name that climbs out is not ours
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
  }
}
