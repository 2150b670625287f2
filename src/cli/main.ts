/**
 * Entry point of the `nabla` command (bin/nabla.js imports the built copy, dist/cli/main.js).
 * Usage errors print one line and exit with status 2; failures print one line and exit with status 1
 * (set NABLA_DEBUG=1 for the stack).
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { EXIT_FAILURE, EXIT_USAGE, RunStopped, UsageError } from './errors.js';
import { SpecError } from '../nn/modules/spec.js';
import { CheckpointError } from '../solver/checkpoint.js';

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    // A bad layers file or checkpoint is the user's to fix, as a bad option is.
    if (err instanceof UsageError || err instanceof SpecError || err instanceof CheckpointError) {
      process.stderr.write(err.message.startsWith('nabla') ? `${err.message}\n` : `nabla: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof RunStopped) {
      process.stderr.write(`nabla: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    const e = err as Error;
    process.stderr.write(`nabla: error: ${e?.message ?? String(err)}\n`);
    if (process.env.NABLA_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    return EXIT_FAILURE;
  }
}

const status = await main(process.argv);
// Worker threads or open handles must not keep a finished command alive.
process.exit(status);
