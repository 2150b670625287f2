/**
 * Runs the web build (web/vite.config.ts) from code: what `npm run build:web` does, optionally into another
 * folder (tests build into a temporary one, so that two test files building at once do not race).
 *
 * The build goes to a sibling temporary folder that then replaces the output folder: Vite empties its output
 * folder first, so a build that is interrupted (Ctrl-C; `npx nabla` reruns `prepare` the first time it runs in
 * a checkout) would otherwise leave `nabla demo` and `nabla ui` with no pages at all.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const webDir = path.dirname(fileURLToPath(import.meta.url));

/** web/dist, where `npm run build:web` writes and where `nabla demo` serves from. */
export const WEB_DIST = path.join(webDir, 'dist');

export async function buildWeb(outDir = WEB_DIST): Promise<void> {
  const tmp = `${outDir}.tmp-${process.pid}`;
  const old = `${outDir}.old-${process.pid}`;
  try {
    await build({
      configFile: path.join(webDir, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: tmp, emptyOutDir: true },
    });
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWeb();
}
