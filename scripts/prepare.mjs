/**
 * `npm run prepare` (run by `npm ci` in a clone): builds dist/ and web/dist/ unless they are already newer
 * than everything they are built from.
 *
 * Why the check: npm 11 runs `npx nabla` in this folder by installing the folder into its npx cache, which
 * runs `prepare` once more; a full build there (tsc and the web build, ~30-45 s) was the long silent spinner
 * of the first `npx nabla train` on a fresh clone. With the outputs fresh from `npm ci`, this ends at once.
 * `npm run build` and `npm run build:web` still build unconditionally.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * The newest modification time of the files under `dir` (or of `dir`, a file; 0 when missing), skipping
 * `skip` folders by name. Folders' own times are left out: moving web/dist into web/ changes web/'s.
 */
function newest(dir, skip = []) {
  if (!existsSync(dir)) return 0;
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(e.name)) continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, skip) : statSync(p).mtimeMs);
  }
  return t;
}

/** Whether `output` (a file) exists and is newer than every file of `inputs`. */
function fresh(output, inputs) {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return inputs.every((i) => newest(path.join(root, i), ['dist', 'node_modules']) <= built);
}

function run(script) {
  const r = spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const sources = ['src', 'tsconfig.json', 'tsconfig.build.json'];
if (!fresh(path.join(root, 'dist', 'index.js'), sources)) run('build');
if (!fresh(path.join(root, 'web', 'dist', 'nabla.js'), [...sources, 'web'])) run('build:web');
