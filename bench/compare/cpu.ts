/**
 * nabla's compare workloads per CPU-second as well as per wall-second: `npx tsx bench/compare/cpu.ts <task>
 * [root=.] [seconds=3]`, for A/B runs of two nabla trees on a shared machine. Wall-clock figures there
 * measure the other jobs as much as the code: CPU time (process.cpuUsage, every thread of the process;
 * parked workers use none) counts only the time nabla ran, so work per CPU-second compares kernels even at
 * load 10+; it does not show how well two threads overlap (wall time does, on a quiet machine). `root` is
 * the nabla tree whose peer (bench/compare/peers/nabla.ts) runs, so an old checkout is timed by the same
 * code. Prints one JSON line: task, units (images or GFLOP) per wall-s and per CPU-s, the load average.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [taskId, rootArg, secondsArg] = process.argv.slice(2);
const root = path.resolve(rootArg ?? '.');
const seconds = Number(secondsArg ?? 3);
const load = (p: string) => import(pathToFileURL(path.join(root, p)).href);
const { default: peer } = await load('bench/compare/peers/nabla.ts');
const { taskById } = await load('bench/compare/workloads.ts');
const prepared = await peer.prepare(taskById(taskId));
if ('cannot' in prepared) throw new Error(`cpu: nabla cannot run ${taskId}: ${prepared.cannot}`);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const loadBefore = os.loadavg()[0];
for (const t = performance.now(); performance.now() - t < 1000;) prepared.step(false);
const w0 = performance.now();
const c0 = cpu();
let steps = 0;
while (performance.now() - w0 < seconds * 1000) {
  prepared.step(false);
  steps++;
}
const wall = (performance.now() - w0) / 1000;
const units = steps * prepared.unitsPerStep;
console.log(
  JSON.stringify({
    task: taskId,
    root,
    perWallS: units / wall,
    perCpuS: units / (cpu() - c0),
    steps,
    load: [loadBefore, os.loadavg()[0]],
  }),
);
process.exit(0);
