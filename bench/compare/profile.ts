/**
 * Where a peer's step spends its time: `npx tsx bench/compare/profile.ts <peer> <task> [seconds=5] [--by=function|file]`.
 * Warms up for 1 s, then runs the V8 CPU profiler (main thread) over `seconds` of steps only — no start-up, no
 * data generation — and prints the functions (or source files) with the most self time. Kernels running on
 * worker threads show up on the main thread as the time it waits for them. --callers names the caller of native frames.
 */
import { Session } from 'node:inspector';
import { peerModules } from './cell.js';
import { isCannot, type Peer } from './peer.js';
import { taskById } from './workloads.js';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
  );
}

async function main(): Promise<void> {
  const [peerName, taskId, secondsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const byFile = process.argv.includes('--by=file');
  const withCaller = process.argv.includes('--callers');
  const seconds = Number(secondsArg ?? 5);
  const entry = peerModules[peerName];
  if (!entry) throw new Error(`profile: unknown peer '${peerName}'`);
  const peer = ((await import(entry[0])) as Record<string, Peer>)[entry[1]];
  console.log(await peer.setup());
  const prepared = await peer.prepare(taskById(taskId));
  if (isCannot(prepared)) throw new Error(`profile: ${peerName} cannot run ${taskId}: ${prepared.cannot}`);
  let t = performance.now();
  while (performance.now() - t < 1000) prepared.step(false);

  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
  await post(session, 'Profiler.start');
  t = performance.now();
  let steps = 0;
  while (performance.now() - t < seconds * 1000) {
    prepared.step(false);
    steps++;
  }
  const elapsed = (performance.now() - t) / 1000;
  const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
  session.disconnect();

  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const file = url.replace(/^.*\/(src|bench|node_modules)\//, '$1/') || '(native)';
    let key = byFile ? file : `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
    if (withCaller && !url) {
      // The nearest callers (up to 6 frames) with a name in src/ or bench/.
      let p = parent.get(id);
      for (let k = 0; k < 6 && p !== undefined; k++, p = parent.get(p)) {
        const c = nodes.get(p)!.callFrame;
        if (/\/(src|bench)\//.test(c.url) && c.functionName)
          key += ` <- ${c.functionName} ${c.url.replace(/^.*\/(src|bench)\//, '$1/')}`;
      }
    }
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i]);
    total += profile.timeDeltas[i];
  });
  console.log(
    `${peerName} ${taskId}: ${steps} steps in ${elapsed.toFixed(2)} s = ${((elapsed / steps) * 1000).toFixed(2)} ms/step`,
  );
  console.log('self time, main thread:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  process.exit(0);
}

await main();
