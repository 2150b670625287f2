/**
 * `nabla eval`'s judge for digits made anywhere: the classifier score and Fréchet distance (the cached digit
 * CNN, 10,000 MNIST test digits) of generated digits saved as .npy, (N, 784) in [-1, 1] as the course's
 * GANs make them. Used with scripts/torch_dcgan.py to see where a PyTorch run of the course's DCGAN lands.
 *
 *   npx tsx scripts/score_digits.ts <samples.npy>
 *   npx tsx scripts/score_digits.ts --generator <G.npz> [--batch-stats]
 *       (a DC generator's PyTorch state dict saved with numpy: nabla draws 10,000 digits from it, in eval mode
 *       or with batch statistics, to tell the training from the way of sampling)
 *   npx tsx scripts/score_digits.ts --export-mnist <out.npy>   (the training digits, (60000, 28, 28) uint8)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadDataset } from '../src/data/registry.js';
import { GanModel, toDigitImages } from '../src/models/ganModel.js';
import { fromNpy, toNpy } from '../src/ndarray/npy.js';
import { loadNpz } from '../src/ndarray/npyfile.js';
import { Generator } from '../src/ndarray/random.js';
import { scoreGeneratedDigits } from '../src/solver/generativeMetrics.js';
import { mnistDigitCnn } from '../src/solver/pretrained.js';

const argv = process.argv.slice(2);
const mnist = { kind: 'builtin', name: 'mnist' } as const;
if (argv[0] === '--export-mnist') {
  const ds = await loadDataset(mnist, { testLimit: 1 });
  writeFileSync(argv[1], toNpy(ds.XTrain.reshape(ds.XTrain.shape[0], 28, 28)));
  console.log(`wrote ${argv[1]}: ${ds.XTrain.shape[0]} training digits`);
} else {
  const file = argv[0] === '--generator' ? argv[1] : argv[0];
  if (!file)
    throw new Error(
      'usage: score_digits.ts <samples.npy> | --generator <G.npz> [--batch-stats] | --export-mnist <out.npy>',
    );
  let samples;
  let label = file;
  if (argv[0] === '--generator') {
    const gan = new GanModel({ kind: 'dcgan' });
    gan.G.loadStateDict(loadNpz(file));
    const batchStatistics = argv.includes('--batch-stats');
    samples = gan.generate(10000, new Generator(0), { batchStatistics });
    label += batchStatistics ? ' (batch statistics)' : ' (eval mode)';
  } else samples = fromNpy(readFileSync(file), { name: file });
  const cnn = await mnistDigitCnn({ log: (line) => console.error(line) });
  const ds = await loadDataset(mnist, { limit: 1, testLimit: 10000 });
  const s = scoreGeneratedDigits(cnn, toDigitImages(samples), ds.XTest.reshape(ds.XTest.shape[0], 28, 28));
  const shares = s.classShares.map((p, k) => `${k}:${(100 * p).toFixed(1)}%`).join(' ');
  console.log(
    `${label}: classifier score ${s.classifierScore.toFixed(3)} (real ${s.realClassifierScore.toFixed(3)}), ` +
      `Fréchet distance ${s.frechetDistance.toFixed(3)}, digits ${shares}`,
  );
}
