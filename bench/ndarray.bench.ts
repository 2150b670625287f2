/**
 * NDArray benchmarks (issue 2): GEMM GFLOP/s (256³, 1024³, (200×3072)·(3072×100), float32 and float64),
 * elementwise and reduction throughput in GB/s, for each registered backend (the plain-TypeScript `js`
 * first), with numpy's figures for the same operations measured in the same run by a python3 child
 * (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment only).
 *
 * GB/s counts the bytes an op must touch: inputs read plus output written (add: 3n·itemsize, exp and copy: 2n·itemsize,
 * sum: n·itemsize). `npm run bench -- ndarray [--quick] [--all-backends]`.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { backend, listBackends, setBackend } from '../src/backend/index.js';
import { Generator, add, exp, mul, type NDArray } from '../src/ndarray/index.js';
import { table, timeit } from './timing.js';

interface Case {
  /** Row label, e.g. 'GEMM 1024³'. */
  name: string;
  dtype: 'float32' | 'float64';
  unit: 'GFLOP/s' | 'GB/s';
  /** Work per call: flops or bytes. */
  work: number;
  /** Builds the call on fresh inputs (nabla side). */
  make: (g: Generator) => () => void;
  /** The same call in numpy: a Python expression over inputs created by `setup`. */
  setup: string;
  expr: string;
}

const item = (d: string) => (d === 'float32' ? 4 : 8);

function gemmCase(m: number, k: number, n: number, label: string, dtype: 'float32' | 'float64'): Case {
  return {
    name: `GEMM ${label}`,
    dtype,
    unit: 'GFLOP/s',
    work: 2 * m * n * k,
    make: (g) => {
      const a = g.randn(m, k).astype(dtype);
      const b = g.randn(k, n).astype(dtype);
      return () => a.matmul(b);
    },
    setup: `a = rs.standard_normal((${m}, ${k})).astype('${dtype}'); b = rs.standard_normal((${k}, ${n})).astype('${dtype}')`,
    expr: 'a @ b',
  };
}

function elementwiseCases(n: number, label: string, dtype: 'float32' | 'float64'): Case[] {
  const sz = item(dtype);
  const setup = `a = rs.random(${n}).astype('${dtype}'); b = rs.random(${n}).astype('${dtype}'); o = np.empty(${n}, '${dtype}')`;
  const inputs = (g: Generator): [NDArray, NDArray, NDArray] => [
    g.rand(n).astype(dtype),
    g.rand(n).astype(dtype),
    g.rand(n).astype(dtype),
  ];
  // One row: its name, the bytes it touches per element (inputs read plus output written), the call on
  // fresh inputs a, b and an output o, and the same in numpy.
  const row = (
    name: string,
    perElement: number,
    call: (a: NDArray, b: NDArray, o: NDArray) => unknown,
    expr: string,
  ): Case => ({
    name,
    dtype,
    unit: 'GB/s',
    work: perElement * n * sz,
    make: (g) => {
      const [a, b, o] = inputs(g);
      return () => call(a, b, o);
    },
    setup,
    expr,
  });
  return [
    row(`add ${label}`, 3, (a, b) => add(a, b), 'a + b'),
    row(`add ${label}, out=`, 3, (a, b, o) => add(a, b, o), 'np.add(a, b, out=o)'),
    row(`mul ${label}`, 3, (a, b) => mul(a, b), 'a * b'),
    row(`copy ${label}`, 2, (a) => a.copy(), 'a.copy()'),
    row(`exp ${label}`, 2, (a) => exp(a), 'np.exp(a)'),
  ];
}

function otherCases(): Case[] {
  const dtype = 'float64';
  const big = `x = rs.random((1000, 1000))`;
  const reduce = (name: string, axis: number | null, expr: string): Case => ({
    name,
    dtype,
    unit: 'GB/s',
    work: 8e6,
    make: (g) => {
      const x = g.rand(1000, 1000);
      return () => x.sum(axis);
    },
    setup: big,
    expr,
  });
  return [
    {
      name: 'add (10000, 100) + (100,)',
      dtype,
      unit: 'GB/s',
      work: 8 * (2e6 + 100),
      make: (g) => {
        const x = g.rand(10000, 100);
        const r = g.rand(100);
        return () => x.add(r);
      },
      setup: 'x = rs.random((10000, 100)); r = rs.random(100)',
      expr: 'x + r',
    },
    {
      name: 'add (100000, 10) + (10,)',
      dtype,
      unit: 'GB/s',
      work: 8 * (2e6 + 10),
      make: (g) => {
        const x = g.rand(100000, 10);
        const r = g.rand(10);
        return () => x.add(r);
      },
      setup: 'x = rs.random((100000, 10)); r = rs.random(10)',
      expr: 'x + r',
    },
    reduce('sum all, 1000×1000', null, 'x.sum()'),
    reduce('sum axis 0, 1000×1000', 0, 'x.sum(axis=0)'),
    reduce('sum axis 1, 1000×1000', 1, 'x.sum(axis=1)'),
  ];
}

function allCases(): Case[] {
  const cases: Case[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    cases.push(gemmCase(256, 256, 256, '256³', dtype));
    cases.push(gemmCase(1024, 1024, 1024, '1024³', dtype));
    cases.push(gemmCase(200, 3072, 100, '(200×3072)·(3072×100)', dtype));
  }
  for (const dtype of ['float64', 'float32'] as const) {
    cases.push(...elementwiseCases(1e6, '1e6', dtype));
    cases.push(...elementwiseCases(1e7, '1e7', dtype));
  }
  cases.push(...otherCases());
  return cases;
}

/** numpy's figures for the same cases, same timing method (warm-up, repeat to minMs, median of repeats). */
function numpyFigures(
  cases: Case[],
  opts: { warmupMs: number; minMs: number; repeats: number },
): {
  rates: (number | null)[];
  info: string;
} {
  const script = `
import json, os, sys, time
import numpy as np
cases = json.loads(sys.stdin.read())
rs = np.random.default_rng(0)
def timeit(f, warmup, min_s, repeats):
    t0 = time.perf_counter()
    while True:
        f()
        if time.perf_counter() - t0 >= warmup: break
    samples = []
    for _ in range(repeats):
        n = 0; t = time.perf_counter()
        while True:
            f(); n += 1
            if time.perf_counter() - t >= min_s: break
        samples.append((time.perf_counter() - t) / n)
    samples.sort()
    return samples[len(samples) // 2]
out = []
for c in cases:
    env = {'np': np, 'rs': rs}
    exec(c['setup'], env)
    f = eval('lambda: ' + c['expr'], env)
    out.append(c['work'] / timeit(f, ${opts.warmupMs / 1000}, ${opts.minMs / 1000}, ${opts.repeats}) / 1e9)
print(json.dumps({'rates': out, 'info': 'numpy %s, python %s' % (np.__version__, sys.version.split()[0])}))
`;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(cases.map((c) => ({ setup: c.setup, expr: c.expr, work: c.work }))),
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
    return { rates: cases.map(() => null), info: `numpy: not available (${why})` };
  }
  const parsed = JSON.parse(r.stdout) as { rates: number[]; info: string };
  return parsed;
}

export default async function ndarrayBench(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const opts = quick ? { warmupMs: 100, minMs: 200, repeats: 1 } : { warmupMs: 300, minMs: 1000, repeats: 3 };
  const cases = allCases();
  const before = backend().name;
  // The plain-TypeScript backend is issue 2's; --all-backends adds a column for each other registered one.
  const backends = [
    'js',
    ...(argv.includes('--all-backends') ? listBackends().filter((b) => b !== 'js') : []),
  ];
  const rates: Record<string, string[]> = {};
  const cpuRates: string[] = [];
  const load0 = os.loadavg()[0];
  for (const b of backends) {
    setBackend(b);
    rates[b] = cases.map((c) => {
      try {
        const f = c.make(new Generator(0));
        const wall = timeit(f, opts).seconds;
        if (b === 'js') {
          // Per CPU-second: what one uncontended core does, when other processes share the machine.
          const n = Math.max(1, Math.round(opts.minMs / 1000 / wall));
          const c0 = process.cpuUsage();
          for (let i = 0; i < n; i++) f();
          const cu = process.cpuUsage(c0);
          cpuRates.push((c.work / ((cu.user + cu.system) / 1e6 / n) / 1e9).toFixed(2));
        }
        return (c.work / wall / 1e9).toFixed(2);
      } catch (e) {
        if (b === 'js') cpuRates.push('');
        return `error: ${(e as Error).message.slice(0, 40)}`;
      }
    });
  }
  setBackend(before);
  const load1 = os.loadavg()[0];
  const np = numpyFigures(cases, opts);

  console.log('## NDArray (issue 2)\n');
  console.log(
    `One process, one thread for nabla (the \`js\` backend is plain TypeScript${backends.length > 1 ? `; also: ${backends.slice(1).join(', ')}` : ''}). ` +
      `${np.info}, with OpenBLAS's default threads (OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset). ` +
      'Elementwise rows without `out=` include allocating the result, as `a + b` does in numpy. ' +
      `Wall-clock rates; "js per CPU-s" divides by the CPU time the process used instead (1-minute load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after the nabla runs, on ${os.cpus().length} cores).\n`,
  );
  const header = [
    'op',
    'dtype',
    'nabla js',
    'js per CPU-s',
    ...backends.slice(1).map((b) => `nabla ${b}`),
    'numpy',
    'unit',
  ];
  const rows = cases.map((c, i) => [
    c.name,
    c.dtype,
    rates.js[i],
    cpuRates[i],
    ...backends.slice(1).map((b) => rates[b][i]),
    np.rates[i] === null ? 'n/a' : (np.rates[i] as number).toFixed(2),
    c.unit,
  ]);
  console.log(table(header, rows));
  console.log('');
}
