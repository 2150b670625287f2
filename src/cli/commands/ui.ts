/**
 * `nabla ui`: serves the dashboard of the runs folder (past runs' curves, two or more compared on one plot)
 * until Ctrl-C. `nabla train --ui` serves the same page with the run it trains streaming in (train.ts).
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { dashboardBuilt, defaultAssetsDir, startDashboard, type Dashboard } from '../ui/server.js';
import type { LiveRun } from '../ui/live.js';
import { listSweeps } from '../ui/sweeps.js';

export interface UiFlags {
  host?: string;
  port?: number;
  allowRemote?: boolean;
}

/** Starts the dashboard and prints where it is (and the warning of a non-loopback address). */
export async function openDashboard(
  flags: UiFlags & { runsDir: string; live?: LiveRun | null; command: string },
): Promise<Dashboard> {
  const dash = await startDashboard({
    runsDir: flags.runsDir,
    host: flags.host,
    port: flags.port,
    allowRemote: flags.allowRemote,
    live: flags.live ?? null,
    command: flags.command,
  });
  if (dash.warning) process.stderr.write(`${dash.warning}\n`);
  if (!dashboardBuilt()) {
    process.stderr.write(
      `warning: the dashboard page is not built (${path.join(defaultAssetsDir(), 'dashboard')} is missing): run npm run build:web\n`,
    );
  }
  process.stdout.write(`dashboard  ${dash.url}  (runs from ${flags.runsDir}/)\n`);
  if (listSweeps(path.resolve(flags.runsDir)).length > 0)
    process.stdout.write(`sweeps     ${dash.url}sweeps/\n`);
  return dash;
}

/**
 * Resolves at the first Ctrl-C or SIGTERM. Call it before the address is printed: while no listener is
 * installed a signal takes its default action, so one sent right after the address would kill the
 * process with no status and no clean close.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function uiCommand(opts: UiFlags & { runs: string }): Promise<void> {
  if (opts.runs.trim() === '') throw new UsageError('nabla ui: --runs must not be empty');
  const interrupted = untilInterrupted();
  const dash = await openDashboard({ ...opts, runsDir: opts.runs, command: 'nabla ui' });
  process.stdout.write('serving until Ctrl-C\n');
  await interrupted;
  await dash.close();
}
