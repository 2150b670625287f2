/**
 * `npm pack` / `npm publish` hooks (prepack: strip, postpack: restore): the published package.json has no
 * `prepare` script. `prepare` builds dist/ in a clone (scripts/prepare.mjs); in an installed tarball there
 * is nothing to build, and npm would list nabla's `prepare` among the install scripts it warns about.
 *
 * The manifest is the developer's file: a pack that dies between the hooks leaves it stripped with the
 * original in .package.json.prepack, and neither a later strip nor restore may put an older copy over an
 * edit made since. Restore puts the original back byte for byte only when the manifest is still what strip
 * wrote; otherwise it keeps the edited manifest and only returns its `prepare` script.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const manifest = path.join(root, 'package.json');
const saved = path.join(root, '.package.json.prepack');

/** The manifest text without its `prepare` script, as the tarball holds it. */
function stripped(text) {
  const pkg = JSON.parse(text);
  delete pkg.scripts?.prepare;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** `text` with the prepare script of `from` where it has none (unchanged text if nothing to add). */
function withPrepare(text, from) {
  const pkg = JSON.parse(text);
  const prepare = JSON.parse(from).scripts?.prepare;
  if (prepare === undefined || pkg.scripts?.prepare !== undefined) return text;
  pkg.scripts = { ...pkg.scripts, prepare };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const current = readFileSync(manifest, 'utf8');
const original = existsSync(saved) ? readFileSync(saved, 'utf8') : null;
if (process.argv[2] === 'strip') {
  // A copy left by a pack that died is kept only if the manifest is still its stripped form; an edited
  // manifest is the newer file, given back the prepare script that pack took from it.
  const keep =
    original === null ? current : current === stripped(original) ? original : withPrepare(current, original);
  writeFileSync(saved, keep);
  writeFileSync(manifest, stripped(keep));
} else if (process.argv[2] === 'restore') {
  if (original !== null) {
    writeFileSync(manifest, current === stripped(original) ? original : withPrepare(current, original));
    rmSync(saved);
  }
} else {
  throw new Error('usage: node scripts/packManifest.mjs strip|restore');
}
