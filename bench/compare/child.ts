/**
 * One cell of the comparison in its own process: `node --import tsx bench/compare/child.ts <peer> <task> [--quick]`.
 * A process per (peer, task) keeps backends from sharing a heap or threads and lets its peak RSS stand for
 * that peer on that task alone. Prints one line `@@compare <json>` (libraries may print other lines).
 */
import { peerModules, protocolFor, type CellResult } from './cell.js';
import { isCannot, type Peer } from './peer.js';
import { measure, measureAlternately, type Step } from './protocol.js';
import { taskById } from './workloads.js';

async function main(): Promise<void> {
  const [peerName, taskId] = process.argv.slice(2);
  const quick = process.argv.includes('--quick');
  const result: CellResult = { peer: peerName, task: taskId, maxRssMiB: 0 };
  try {
    const entry = peerModules[peerName];
    if (!entry) throw new Error(`compare: unknown peer '${peerName}'`);
    const peer = ((await import(entry[0])) as Record<string, Peer>)[entry[1]];
    result.setup = await peer.setup();
    const prepared = await peer.prepare(taskById(taskId));
    if (isCannot(prepared)) result.cannot = prepared.cannot;
    else {
      const protocol = protocolFor(quick);
      // CPU time (all threads) spent inside each step function, warm-up included: per-core-second figures that
      // a loaded machine disturbs far less than wall-clock rates (for a companion too, each its own account).
      const account = (f: Step) => {
        const a = { calls: 0, cpuUs: 0 };
        const timed: Step = (want) => {
          const t0 = process.cpuUsage();
          const r = f(want);
          const t = process.cpuUsage(t0);
          a.calls++;
          a.cpuUs += t.user + t.system;
          return r;
        };
        return [timed, a] as const;
      };
      const perCpuS = (a: { calls: number; cpuUs: number }) =>
        (a.calls * prepared.unitsPerStep) / (a.cpuUs / 1e6);
      const [step, mine] = account(prepared.step);
      const [companion, theirs] = prepared.companion ? account(prepared.companion) : [undefined, undefined];
      const m = companion
        ? measureAlternately(step, companion, protocol, (c) => {
            result.companionValue = c.stepsPerS * prepared.unitsPerStep;
            result.companionSamples = c.samples.map((s) => s * prepared.unitsPerStep);
          })
        : measure(step, protocol);
      result.perCpuS = perCpuS(mine);
      if (theirs) result.companionPerCpuS = perCpuS(theirs);
      result.value = m.stepsPerS * prepared.unitsPerStep;
      result.samples = m.samples.map((s) => s * prepared.unitsPerStep);
      result.timedSteps = m.timedSteps;
      result.capped = m.capped;
      result.firstLoss = m.firstValue;
      result.note = prepared.note;
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  result.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`\n@@compare ${JSON.stringify(result)}\n`);
  // Emscripten (tfjs-wasm) and worker pools can keep the event loop alive; the cell is done.
  process.exit(0);
}

await main();
