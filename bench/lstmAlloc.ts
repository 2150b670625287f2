/**
 * `npx tsx bench/lstmAlloc.ts`: issue 14's "the time step loop must not allocate per step more than the step's
 * outputs", checked by counting. Every typed-array constructor that makes a fresh buffer (not a view on an
 * existing one, such as the wasm memory) is counted while lstmForward and lstmBackward run at the course's
 * COCO sizes (N 50, D 256, H 512) for T = 4 and T = 16: if the time loop allocated, the buffer count would grow
 * with T. The bytes grow with T only through the buffers made once for the whole sequence (the gates, cell and
 * hidden states every step outputs, the gradients) before the loop starts. Run it with NABLA_BACKEND=js to count
 * every array: under the wasm backend, arrays placed in the wasm memory are views and go uncounted.
 */
const counts = { n: 0, bytes: 0 };
type AnyCtor = new (...args: unknown[]) => ArrayBufferView;
for (const name of ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array'] as const) {
  const g = globalThis as unknown as Record<string, AnyCtor>;
  const Base = g[name];
  g[name] = class extends Base {
    constructor(...args: unknown[]) {
      super(...args);
      const onBuffer = args[0] instanceof ArrayBuffer || args[0] instanceof SharedArrayBuffer;
      if (!onBuffer) {
        counts.n++;
        counts.bytes += this.byteLength;
      }
    }
  };
}
// Imported after the counting constructors are in place, so the library's `new Float32Array` sees them.
const { Generator, backend, lstmForward, lstmBackward } = await import('../src/index.js');
const rng = new Generator(1);
const [N, D, H] = [50, 256, 512];
const normal = (shape: number[]) => rng.normal(0, 1, shape, 'float32');
const rows: string[] = [];
for (const T of [4, 16, 4, 16]) {
  const [x, h0, Wx, Wh, b, dh] = [[N, T, D], [N, H], [D, 4 * H], [H, 4 * H], [4 * H], [N, T, H]].map(normal);
  counts.n = counts.bytes = 0;
  const [, cache] = lstmForward(x, h0, Wx, Wh, b);
  const fwd = { ...counts };
  counts.n = counts.bytes = 0;
  lstmBackward(dh, cache);
  rows.push(
    `T ${String(T).padStart(2)}: lstmForward ${fwd.n} buffers, ${(fwd.bytes / 1e6).toFixed(2)} MB; ` +
      `lstmBackward ${counts.n} buffers, ${(counts.bytes / 1e6).toFixed(2)} MB`,
  );
}
console.log(`backend ${backend().name}; the first two rows warm up, the last two are the answer:`);
console.log(rows.join('\n'));
