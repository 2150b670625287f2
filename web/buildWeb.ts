/**
 * Runs the web build (web/vite.config.ts) from code: what `npm run build:web` does, optionally into another
 * folder (tests build into a temporary one, so that two test files building at once do not race).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const webDir = path.dirname(fileURLToPath(import.meta.url));

/** web/dist, where `npm run build:web` writes and where `nabla demo` serves from. */
export const WEB_DIST = path.join(webDir, 'dist');

export async function buildWeb(outDir = WEB_DIST): Promise<void> {
  await build({
    configFile: path.join(webDir, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}
