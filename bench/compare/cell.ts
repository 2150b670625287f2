/** What the parent and the per-cell child processes share: peer names, the cell record, the protocol. */
import type { Protocol } from './protocol.js';
import { spec } from './workloads.js';

/** Peer name -> [module, export]. The order is the table's column order. */
export const peerModules: Record<string, [string, string]> = {
  nabla: ['./peers/nabla.js', 'default'],
  'tfjs-wasm': ['./peers/tfjsWasm.js', 'default'],
  'tfjs-wasm-autodiff': ['./peers/tfjsWasm.js', 'autodiff'],
  'tfjs-cpu': ['./peers/tfjsCpu.js', 'default'],
  convnetjs: ['./peers/convnetjs.js', 'default'],
  'brain.js': ['./peers/brainjs.js', 'default'],
  // Not a JavaScript module: compare.bench.ts runs its cells with python3 (see pythonPeers).
  numpy: ['', ''],
};

/** Peers whose cells are a Python script printing the same `@@compare` line as child.ts. */
export const pythonPeers: Record<string, string> = { numpy: './peers/numpy_caption.py' };

export interface CellResult {
  peer: string;
  task: string;
  setup?: string;
  /** images/s, or GFLOP/s for gemm. */
  value?: number;
  samples?: number[];
  timedSteps?: number;
  capped?: boolean;
  firstLoss?: number;
  /** The companion step's figure (same units), measured alternately with `value` (see Prepared.companion). */
  companionValue?: number;
  companionSamples?: number[];
  note?: string;
  cannot?: string;
  error?: string;
  /** Peak resident set of this process, MiB. */
  maxRssMiB: number;
}

export function protocolFor(quick: boolean): Protocol {
  const t = spec.timing;
  return quick
    ? { warmupS: 0.3, warmupMinSteps: 1, minTimeS: 1, minSteps: t.min_steps, repeats: 1, capStepS: 2 }
    : {
        warmupS: t.warmup_s,
        warmupMinSteps: t.warmup_min_steps,
        minTimeS: t.min_time_s,
        minSteps: t.min_steps,
        repeats: t.repeats,
        capStepS: 5,
      };
}
