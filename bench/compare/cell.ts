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
  'js-pytorch': ['./peers/jsPytorch.js', 'default'],
  // Not JavaScript modules: compare.bench.ts runs their cells with Python (see pythonPeers).
  numpy: ['', ''],
  torchvision: ['', ''],
};

/**
 * Peers whose cells are a Python script printing the same `@@compare` line as child.ts, and the interpreter:
 * PYTHON (default python3) for numpy; torchvision is Debian's python3-torch, so /usr/bin/python3 (TORCH_PYTHON).
 */
export const pythonPeers: Record<string, { script: string; python: () => string }> = {
  numpy: { script: './peers/numpy_caption.py', python: () => process.env.PYTHON ?? 'python3' },
  torchvision: {
    script: './peers/torchvision_augment.py',
    python: () => process.env.TORCH_PYTHON ?? '/usr/bin/python3',
  },
};

/** Peers written for some workloads only (the others would only print "not written"). */
const peerTasks: Record<string, string[]> = {
  numpy: ['caption-lstm', 'caption-transformer'],
  'js-pytorch': ['caption-transformer'],
  torchvision: ['simclr-augment'],
};

/** Rows only some peers run: the autograd overhead is nabla against itself; the augmentation has no JS peer. */
const taskPeers: Record<string, string[]> = {
  'fc2-autograd': ['nabla'],
  'cnn3-autograd': ['nabla'],
  dcgan: ['nabla', 'tfjs-wasm', 'tfjs-wasm-autodiff', 'tfjs-cpu'],
  'simclr-augment': ['nabla', 'torchvision'],
};

export function peerRuns(peer: string, task: string): boolean {
  return (peerTasks[peer]?.includes(task) ?? true) && (taskPeers[task]?.includes(peer) ?? true);
}

/** js-pytorch takes minutes per step (nested JavaScript arrays): its cells get a longer timeout. */
export const timeoutFactor: Record<string, number> = { 'js-pytorch': 4 };

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
  /**
   * Units per second of CPU time (all the process's threads) over every step it ran, warm-up included: what
   * the cell does per core-second, which a loaded machine disturbs far less than the wall-clock `value`.
   */
  perCpuS?: number;
  /** The companion's figure per CPU-second. */
  companionPerCpuS?: number;
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
