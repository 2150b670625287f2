/**
 * `npm pack` / `npm publish` hooks (prepack: strip, postpack: restore): the published package.json has no
 * `prepare` script. `prepare` builds dist/ in a clone (scripts/prepare.mjs); in an installed tarball there
 * is nothing to build, and npm would list nabla's `prepare` among the install scripts it warns about.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const manifest = path.join(root, 'package.json');
const saved = path.join(root, '.package.json.prepack');

if (process.argv[2] === 'strip') {
  if (!existsSync(saved)) copyFileSync(manifest, saved);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  delete pkg.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (process.argv[2] === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  throw new Error('usage: node scripts/packManifest.mjs strip|restore');
}
