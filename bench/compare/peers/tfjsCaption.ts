/**
 * The captioning workloads in TensorFlow.js, written as its users write them: tfjs-layers objects
 * (tf.layers.embedding, lstm, timeDistributed(dense), dense, layerNormalization, dropout) applied eagerly
 * inside `optimizer.minimize`, which trains every trainable variable; the loss from tf.losses.
 *
 * caption-lstm: h0 = dense(features); embedding → lstm({ returnSequences, initialState [h0, zeros] }) →
 * timeDistributed(dense(V)); masked softmaxCrossEntropy summed and divided by N (the course's loss). It starts
 * from the shared weights: Keras orders an LSTM's gate blocks i, f, c, o where the course has i, f, o, g, so
 * the blocks are permuted; recurrentActivation is set to 'sigmoid' (tfjs defaults to hardSigmoid).
 *
 * caption-transformer: tfjs-layers 4.22 exports no MultiHeadAttention, so attention is what its users write:
 * dense layers for query/key/value/proj, tf.matMul, a −1e9 additive causal mask, tf.softmax, dropout — in the
 * course's decoder layer order (post-LayerNorm), with its own initialisation.
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { Outcome } from '../peer.js';
import { captionLstmParams, captionPool, spec, type CaptionModel } from '../workloads.js';
import type { Tfjs } from './tfjsBundle.js';

type Tensor = TF.Tensor;

/** Columns of a (rows, 4H) matrix (or a 4H vector) with the course's blocks i, f, o, g reordered to i, f, g, o. */
function kerasGateOrder(w: Float32Array, rows: number, H: number): Float32Array {
  const out = new Float32Array(w.length);
  const from = [0, 1, 3, 2];
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < 4; k++)
      out.set(w.subarray(r * 4 * H + from[k] * H, r * 4 * H + (from[k] + 1) * H), r * 4 * H + k * H);
  return out;
}

function lstmModel(tf: Tfjs): (f: Tensor, capIn: Tensor) => Tensor {
  const w = spec.workloads['caption-lstm'];
  const [V, W, H] = [w.vocab, w.wordvec_dim, w.hidden_dim!];
  const p = new Map(captionLstmParams().map((x) => [x.name, x]));
  const t = (name: string) => tf.tensor(p.get(name)!.data, p.get(name)!.shape);
  const proj = tf.tfl.layers.dense({ units: H, weights: [t('WProj'), t('bProj')] });
  const embed = tf.tfl.layers.embedding({ inputDim: V, outputDim: W, weights: [t('WEmbed')] });
  const lstm = tf.tfl.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid' });
  const c0 = tf.zeros([w.batch, H]);
  tf.tidy(() => void lstm.apply(tf.zeros([w.batch, w.T, W]), { initialState: [c0, c0] })); // builds it
  lstm.setWeights([
    tf.tensor(kerasGateOrder(p.get('Wx')!.data, W, H), [W, 4 * H]),
    tf.tensor(kerasGateOrder(p.get('Wh')!.data, H, H), [H, 4 * H]),
    tf.tensor(kerasGateOrder(p.get('b')!.data, 1, H), [4 * H]),
  ]);
  const vocab = tf.tfl.layers.timeDistributed({
    layer: tf.tfl.layers.dense({ units: V, weights: [t('WVocab'), t('bVocab')] }),
  });
  return (f, capIn) => {
    const h0 = proj.apply(f) as Tensor;
    const x = embed.apply(capIn) as Tensor;
    const h = lstm.apply(x, { initialState: [h0, c0] }) as Tensor;
    return vocab.apply(h) as Tensor;
  };
}

function transformerModel(tf: Tfjs): (f: Tensor, capIn: Tensor) => Tensor {
  const w = spec.workloads['caption-transformer'];
  const [V, E, Hn, T] = [w.vocab, w.wordvec_dim, w.num_heads, w.T];
  const L = tf.tfl.layers;
  const drop = () => L.dropout({ rate: w.dropout });
  const attention = () => {
    const [q, k, v, proj] = [0, 1, 2, 3].map(() => L.dense({ units: E }));
    const attnDrop = drop();
    return (query: Tensor, kv: Tensor, mask: Tensor | null) => {
      const [N, S] = query.shape;
      const Tk = kv.shape[1]!;
      const D = E / Hn;
      const heads = (x: Tensor, len: number) => tf.transpose(tf.reshape(x, [N!, len, Hn, D]), [0, 2, 1, 3]);
      const qh = heads(q.apply(query) as Tensor, S!);
      const kh = heads(k.apply(kv) as Tensor, Tk);
      const vh = heads(v.apply(kv) as Tensor, Tk);
      let scores = tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(D));
      if (mask) scores = tf.add(scores, mask);
      const attn = attnDrop.apply(tf.softmax(scores), { training: true }) as Tensor;
      const y = tf.reshape(tf.transpose(tf.matMul(attn, vh), [0, 2, 1, 3]), [N!, S!, E]);
      return proj.apply(y) as Tensor;
    };
  };
  const decoderLayer = () => {
    const [selfAttn, crossAttn] = [attention(), attention()];
    const [lin1, lin2] = [L.dense({ units: w.dim_feedforward, activation: 'relu' }), L.dense({ units: E })];
    const [n1, n2, n3] = [0, 1, 2].map(() => L.layerNormalization({ epsilon: 1e-5 }));
    const [d, d1, d2, d3] = [drop(), drop(), drop(), drop()];
    const tr = { training: true };
    return (x: Tensor, memory: Tensor, mask: Tensor) => {
      x = n1.apply(tf.add(x, d1.apply(selfAttn(x, x, mask), tr) as Tensor)) as Tensor;
      x = n2.apply(tf.add(x, d2.apply(crossAttn(x, memory, null), tr) as Tensor)) as Tensor;
      const ff = lin2.apply(d.apply(lin1.apply(x), tr) as Tensor) as Tensor;
      return n3.apply(tf.add(x, d3.apply(ff, tr) as Tensor)) as Tensor;
    };
  };
  const visual = L.dense({ units: E });
  const embed = L.embedding({ inputDim: V, outputDim: E });
  const layers = Array.from({ length: w.num_layers }, decoderLayer);
  const out = L.dense({ units: V });
  const peDrop = drop();
  // Sinusoidal positions (sin on even features, cos on odd) and the causal mask, as constants.
  const pe = tf.tidy(() => {
    const pos = tf.reshape(tf.range(0, T), [T, 1]);
    const div = tf.exp(tf.mul(tf.range(0, E, 2), -Math.log(10000) / E));
    const ang = tf.mul(pos, div);
    return tf.reshape(tf.stack([tf.sin(ang), tf.cos(ang)], 2), [1, T, E]);
  });
  const mask = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
  return (f, capIn) => {
    const memory = tf.expandDims(visual.apply(f) as Tensor, 1);
    let x = peDrop.apply(tf.add(embed.apply(capIn) as Tensor, pe), { training: true }) as Tensor;
    for (const layer of layers) x = layer(x, memory, mask);
    return out.apply(x) as Tensor;
  };
}

/** One Adam step per minibatch through optimizer.minimize, as a tfjs user trains. */
export function tfjsCaptioning(tf: Tfjs, which: CaptionModel): Outcome {
  const w = spec.workloads[which];
  const [N, T, V] = [w.batch, w.T, w.vocab];
  const model = which === 'caption-lstm' ? lstmModel(tf) : transformerModel(tf);
  const batches = captionPool(which).map((b) =>
    tf.tidy(() => {
      const caps = tf.tensor2d(b.captions, [N, T + 1], 'int32');
      const out = tf.reshape(tf.slice(caps, [0, 1], [N, T]), [N * T]);
      return {
        f: tf.tensor2d(b.features, [N, w.input_dim]),
        capIn: tf.keep(tf.slice(caps, [0, 0], [N, T])),
        onehot: tf.keep(tf.oneHot(out, V)),
        mask: tf.keep(tf.cast(tf.notEqual(out, 0), 'float32')),
      };
    }),
  );
  // Build every layer (create its variables) before training: minimize trains the variables that exist
  // when it is called.
  tf.tidy(() => void model(batches[0].f, batches[0].capIn));
  const o = w.optimizer;
  const opt = tf.train.adam(o.lr, o.beta1, o.beta2, o.eps);
  // The LSTM loss is the course's (summed over time, divided by N); the Transformer's averages over N·T.
  const divisor = which === 'caption-lstm' ? N : N * T;
  let i = 0;
  return {
    unitsPerStep: N,
    note:
      which === 'caption-lstm'
        ? 'tf.layers embedding + lstm (initialState [h0, 0]) + timeDistributed(dense), optimizer.minimize'
        : 'tf.layers dense/embedding/layerNormalization/dropout with tf.matMul + tf.softmax attention (no MultiHeadAttention layer in tfjs-layers), optimizer.minimize',
    step: (want) => {
      const b = batches[i++ % batches.length];
      const cost = opt.minimize(() => {
        const scores = tf.reshape(model(b.f, b.capIn), [N * T, V]);
        const ce = tf.losses.softmaxCrossEntropy(b.onehot, scores, b.mask, 0, tf.Reduction.SUM);
        return tf.div(ce, divisor) as TF.Scalar;
      }, want);
      if (!cost) return undefined;
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    },
  };
}
