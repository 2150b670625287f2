// Temporary: exact captions by number of digits for run folders given as arguments.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { exactCaptionAccuracy } from '../src/models/bleu.js';
import { evaluateCaptions } from '../src/solver/metrics.js';
import { restoreModel } from '../src/cli/restore.js';
import { loadCaptionSet, type CaptionFeatures } from '../src/cli/train/caption.js';
import type { RunConfig } from '../src/cli/train/config.js';
for (const dir of process.argv.slice(2)) {
  const r = restoreModel(dir);
  const meta = r.ck.meta;
  const cfg = meta.config as unknown as RunConfig;
  const { data } = await loadCaptionSet({ data: { kind: 'builtin', name: 'mnist-captions' }, features: (meta.features as { kind: CaptionFeatures }).kind }, cfg, () => {});
  const ev = evaluateCaptions(r.captioner!, data.test ?? data.val, data.idxToWord, { maxLength: Number(meta.model.config.options.maxLength) });
  const by = [1, 2, 3, 4, 5].map((k) => {
    const pick = ev.references.map((x, i) => (x[0].length === k ? i : -1)).filter((i) => i >= 0);
    return (100 * exactCaptionAccuracy(pick.map((i) => ev.references[i]), pick.map((i) => ev.hypotheses[i]))).toFixed(1) + `% (${pick.length})`;
  });
  console.log(path.basename(dir), meta.model.name, 'seed', cfg.seed, 'exact', (100 * ev.exact).toFixed(2), 'by digits', by.join(' '));
}
