// nabla in a web page: the Solver trains a two-layer net on CS231n's spiral data while the page stays live
// (solver.run() yields to the browser between steps), drawing the loss and the decision regions.
// Bundle it as any npm package: `npm install nabla vite && npx vite` in a folder holding index.html and
// this file (or esbuild main.js --bundle --format=esm --outfile=app.js). `?epochs=N` sets the length.
import { Generator, Solver, TwoLayerNet, array, backendInfo } from 'nabla';

const epochs = Number(new URLSearchParams(location.search).get('epochs') ?? 300);

/** The course's spiral: K classes of N points (x, y) each, with a little noise. */
function spiral(N, K, rng) {
  const X = new Float32Array(N * K * 2);
  const y = new Int32Array(N * K);
  const noise = rng.randn(N * K).toTypedArray();
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < N; i++) {
      const j = k * N + i;
      const r = i / (N - 1);
      const t = k * 4 + (i / (N - 1)) * 4 + noise[j] * 0.2;
      X[2 * j] = r * Math.sin(t);
      X[2 * j + 1] = r * Math.cos(t);
      y[j] = k;
    }
  }
  return { X: array(X, [N * K, 2]), y: array(y, [N * K]) };
}

const { X, y } = spiral(100, 3, new Generator(0));
const model = new TwoLayerNet({
  inputDim: 2,
  hiddenDim: 100,
  numClasses: 3,
  weightScale: 1e-1,
  reg: 1e-3,
  seed: 0,
});
const solver = new Solver(
  model,
  { XTrain: X, yTrain: y, XVal: X, yVal: y },
  {
    updateRule: 'adam',
    optimConfig: { learningRate: 1e-2 },
    numEpochs: epochs,
    batchSize: 300,
    verbose: false,
  },
);

const colors = ['#e41a1c', '#377eb8', '#4daf4a'];
function drawData() {
  const ctx = document.getElementById('data').getContext('2d');
  // Decision regions: the predicted class on a 60 x 60 grid.
  const G = 60;
  const grid = new Float32Array(G * G * 2);
  for (let i = 0; i < G; i++)
    for (let j = 0; j < G; j++) {
      grid[2 * (i * G + j)] = (j / (G - 1)) * 2 - 1;
      grid[2 * (i * G + j) + 1] = 1 - (i / (G - 1)) * 2;
    }
  const pred = model
    .loss(array(grid, [G * G, 2]))
    .argmax(1)
    .toTypedArray();
  const s = 300 / G;
  ctx.globalAlpha = 0.25;
  for (let p = 0; p < G * G; p++) {
    ctx.fillStyle = colors[pred[p]];
    ctx.fillRect((p % G) * s, Math.floor(p / G) * s, s, s);
  }
  ctx.globalAlpha = 1;
  const px = X.toTypedArray();
  const py = y.toTypedArray();
  for (let j = 0; j < py.length; j++) {
    ctx.fillStyle = colors[py[j]];
    ctx.beginPath();
    ctx.arc((px[2 * j] + 1) * 150, (1 - px[2 * j + 1]) * 150, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

function drawLoss(losses) {
  const ctx = document.getElementById('loss').getContext('2d');
  ctx.clearRect(0, 0, 400, 300);
  const max = Math.max(...losses);
  ctx.beginPath();
  losses.forEach((l, i) => ctx.lineTo((i / Math.max(1, losses.length - 1)) * 400, 300 - (l / max) * 290));
  ctx.stroke();
}

const status = document.getElementById('status');
const losses = [];
const result = await solver.run({
  onEvent: (e) => {
    if (e.type !== 'iteration') return;
    losses.push(e.loss);
    if (e.iteration % 10 === 0 || e.iteration === e.numIterations) {
      drawLoss(losses);
      status.textContent = `iteration ${e.iteration}/${e.numIterations}, loss ${e.loss.toFixed(3)} (${backendInfo().name} backend)`;
    }
  },
});
drawData();
const accuracy = solver.checkAccuracy(X, y);
status.textContent += ` — done (${result.status}), training accuracy ${(100 * accuracy).toFixed(1)}%`;
// For the test suite (test/examples/examples.test.ts), which opens this page in headless Chromium.
window.result = { losses, accuracy, status: result.status };
