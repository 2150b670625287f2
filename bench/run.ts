/**
 * `npm run bench [-- <area>... --compare]`: runs every bench/<area>.bench.ts (or the ones named) in this
 * one process and prints their tables. Timings belong here, never in tests.
 * Each bench module's default export takes the remaining CLI arguments and prints markdown.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')));

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`# nabla bench — ${new Date().toISOString()}`);
console.log(
  `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as {
    default: (argv: string[]) => Promise<void>;
  };
  await mod.default(args);
}
