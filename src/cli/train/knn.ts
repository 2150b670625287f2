/** kNN: "training" memorises the training set; the checkpoint keeps it (data/XTrain, data/yTrain). */
import { KNearestNeighbor } from '../../models/kNearestNeighbor.js';
import { saveRunCheckpoint, loadRunCheckpoint } from '../checkpoint.js';
import { evaluatePredictions } from '../evaluate.js';
import { buildRunReport } from '../runReport.js';
import type { JobResult } from './job.js';
import type { RunContext } from './run.js';

/** Test rows per distance matrix: 250 × 50,000 float64 distances stay under 100 MB. */
export const KNN_BATCH = 250;

export async function runKnn(ctx: RunContext): Promise<JobResult> {
  const { cfg, data, info, job, metrics } = ctx;
  const numClasses = info.classNames.length;
  const k = Number(cfg.model.options.k ?? 1);
  const knn = new KNearestNeighbor();
  knn.train(data.XTrain, data.yTrain);
  const predict = (X: typeof data.XTest): Int32Array =>
    knn.predict(X, { k, batchSize: KNN_BATCH }).toTypedArray() as Int32Array;
  const tPred = performance.now();
  const valPred = data.yVal.size > 0 ? predict(data.XVal) : new Int32Array(0);
  const valAcc = evaluatePredictions(valPred, data.yVal, numClasses).accuracy;
  metrics.append({ type: 'epoch', epoch: 1, iteration: 0, trainAcc: NaN, valAcc });
  ctx.log(`knn      k=${k}: validation accuracy ${(100 * valAcc).toFixed(2)}%`);
  const pred = predict(data.XTest);
  const seconds = (performance.now() - tPred) / 1000;
  const evaluation = evaluatePredictions(pred, data.yTest, numClasses);
  metrics.append({
    type: 'test',
    accuracy: evaluation.accuracy,
    perClass: evaluation.perClass,
    count: evaluation.count,
  });
  const { json } = saveRunCheckpoint(job.runDir, info, {
    meta: {
      training: { iteration: 0, epoch: 0, iterationsPerEpoch: 0, numEpochs: 0, batchSize: 0, done: true },
      history: { loss: [], trainAcc: [], valAcc: [valAcc], lr: [] },
      optimizer: null,
      metric: 'accuracy',
      bestValAcc: valAcc,
      rng: { solver: [], model: null },
    },
    arrays: { 'data/XTrain': data.XTrain, 'data/yTrain': data.yTrain },
  });
  const report = job.report
    ? await buildRunReport(job.runDir, {
        meta: loadRunCheckpoint(job.runDir).meta,
        model: null,
        evaluation,
        pred,
        rawTest: data.rawTest,
        yTest: data.yTest.toTypedArray(),
        trainSeconds: seconds,
        command: cfg.command,
      })
    : null;
  return {
    status: 'done',
    runDir: job.runDir,
    modelName: 'knn',
    testAccuracy: evaluation.accuracy,
    bestValAcc: valAcc,
    trainSeconds: seconds,
    imagesPerSec: seconds > 0 ? (data.yTest.size + data.yVal.size) / seconds : 0,
    iterations: 0,
    checkpoint: json,
    report,
    evaluation,
    classNames: info.classNames,
  };
}
