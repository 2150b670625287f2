/** `nabla bench [area...] [--compare]`: runs the project's bench runner, bench/run.ts, in a clone of the repository. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { RunStopped } from '../errors.js';

export async function benchCommand(args: string[]): Promise<void> {
  const runner = fileURLToPath(new URL('../../../bench/run.ts', import.meta.url));
  if (!existsSync(runner)) {
    throw new RunStopped(
      'the benchmarks ship with the source, not the package: clone the repository and run `npm ci && npm run bench`',
    );
  }
  let tsxCli: string;
  try {
    tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  } catch {
    throw new RunStopped(
      'the benchmarks need the dev dependencies: run `npm ci` in the repository, then `nabla bench`',
    );
  }
  const status = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [tsxCli, runner, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  if (status !== 0) process.exitCode = status;
}
