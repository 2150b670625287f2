/**
 * Where nabla's step spends its wall time, by backend call: `npx tsx bench/compare/calls.ts <task> [steps=100]
 * [--shapes]`. Wraps every kernel of the active backend in a timer, warms up for 10 steps, then runs `steps`
 * steps of the task as the compare bench's nabla peer does and prints ms per step for each kernel (threaded
 * kernels included: the wall time of the whole call), and the time outside the backend. --shapes splits GEMM
 * by shape and transposes. Complements profile.ts, whose V8 profile sees the main thread only.
 */
import { backend } from '../../src/index.js';
import type { Backend, GemmArgs } from '../../src/backend/backend.js';
import { isCannot } from './peer.js';
import peer from './peers/nabla.js';
import { taskById } from './workloads.js';

const [taskId = 'cnn3', stepsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const byShape = process.argv.includes('--shapes');
const steps = Number(stepsArg ?? 100);

const ms = new Map<string, number>();
const count = new Map<string, number>();
const be = backend() as unknown as Record<string, unknown>;
for (const name of Object.keys(be)) {
  const f = be[name];
  if (typeof f !== 'function') continue;
  be[name] = (...args: unknown[]) => {
    const t = performance.now();
    const r = (f as (...a: unknown[]) => unknown).apply(be, args);
    let key = name;
    if (byShape && name === 'gemm') {
      const g = args[0] as GemmArgs;
      key = `gemm ${g.M}×${g.K}×${g.N}${g.transA ? ' Aᵀ' : ''}${g.transB ? ' Bᵀ' : ''}`;
    }
    ms.set(key, (ms.get(key) ?? 0) + performance.now() - t);
    count.set(key, (count.get(key) ?? 0) + 1);
    return r;
  };
}

console.log(await peer.setup());
const prepared = await peer.prepare(taskById(taskId));
if (isCannot(prepared)) throw new Error(`calls: nabla cannot run ${taskId}: ${prepared.cannot}`);
for (let i = 0; i < 10; i++) prepared.step(false);
ms.clear();
count.clear();
const t0 = performance.now();
for (let i = 0; i < steps; i++) prepared.step(false);
const total = (performance.now() - t0) / steps;
console.log(
  `nabla ${taskId}: ${total.toFixed(2)} ms/step over ${steps} steps (backend '${(backend() as Backend).name}')`,
);
let inside = 0;
for (const [key, v] of [...ms].sort((a, b) => b[1] - a[1])) {
  inside += v / steps;
  console.log(
    `${(v / steps).toFixed(2).padStart(8)} ms  ${((count.get(key) ?? 0) / steps).toFixed(1).padStart(5)} calls  ${key}`,
  );
}
console.log(`${(total - inside).toFixed(2).padStart(8)} ms  outside the backend`);
