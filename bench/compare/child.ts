/**
 * One cell of the comparison in its own process: `node --import tsx bench/compare/child.ts <peer> <task> [--quick]`.
 * A process per (peer, task) keeps backends from sharing a heap or threads and lets its peak RSS stand for
 * that peer on that task alone. Prints one line `@@compare <json>` (libraries may print other lines).
 */
import { peerModules, protocolFor, type CellResult } from './cell.js';
import { isCannot, type Peer } from './peer.js';
import { measure, measureAlternately } from './protocol.js';
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
      // CPU time per step of `step` (not of a companion, timed alternately with it: then not recorded).
      let calls = 0;
      const step: typeof prepared.step = (want) => (calls++, prepared.step(want));
      const cpu0 = process.cpuUsage();
      const m = prepared.companion
        ? measureAlternately(step, prepared.companion, protocol, (c) => {
            result.companionValue = c.stepsPerS * prepared.unitsPerStep;
            result.companionSamples = c.samples.map((s) => s * prepared.unitsPerStep);
          })
        : measure(step, protocol);
      const cpu = process.cpuUsage(cpu0);
      if (!prepared.companion)
        result.perCpuS = (calls * prepared.unitsPerStep) / ((cpu.user + cpu.system) / 1e6);
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
