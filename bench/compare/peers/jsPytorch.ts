/**
 * js-pytorch 0.7.2 peer (npm `js-pytorch`, "a PyTorch-like autograd in plain JavaScript"): the course's
 * CaptioningTransformer as a js-pytorch user writes it, with its nn modules and its own initialisation
 * (it takes no weights from outside), trained with loss.backward() and its optim.Adam. Its tensors are nested
 * JavaScript arrays of doubles; device 'cpu' (its 'gpu' device needs gpu.js's native 'gl' module, which
 * package.json replaces by a stub: bench/compare/peers/no-gpu).
 *
 * What js-pytorch cannot express, and what stands in for it:
 * - Its `Block` is a pre-LayerNorm GPT block (self-attention only) and its `FullyConnected` is fixed at a hidden
 *   width of 2·in; the course's decoder layer is post-LayerNorm with cross-attention and a 2048-wide feed-forward.
 *   So each decoder layer is assembled from its modules: its MultiHeadSelfAttention (causal mask built in; it
 *   scales the scores by 1/headDim² where the course has 1/√headDim), a cross-attention written from its Linear,
 *   matmul, transpose, reshape, Softmax and Dropout, Linear(256, 2048) · ReLU · Dropout · Linear(2048, 256), and
 *   three LayerNorms (no epsilon in js-pytorch's), in the course's order.
 * - No sinusoidal positional encoding module (its PositionalEmbedding is learned): the course's sin/cos table is
 *   added as a constant tensor, then Dropout.
 * - CrossEntropyLoss has no ignore_index: the loss averages over all N·T targets, <NULL> ones included (about
 *   1/V of the bench's random targets). Its ReLU lets 1e-3 of the negative side through (its own definition).
 */
import { torch } from 'js-pytorch';
import type { Outcome, Peer } from '../peer.js';
import { captionPool, spec, type Task } from '../workloads.js';

type JTensor = InstanceType<typeof torch.Tensor>;
const { nn } = torch;

/** Multi-head attention of the queries x (N, T, E) on the image memory (N, S, E), from js-pytorch's primitives. */
class CrossAttention extends nn.Module {
  query: InstanceType<typeof nn.Linear>;
  key: InstanceType<typeof nn.Linear>;
  value: InstanceType<typeof nn.Linear>;
  proj: InstanceType<typeof nn.Linear>;
  attnDrop: InstanceType<typeof nn.Dropout>;
  softmax = new nn.Softmax();
  constructor(
    embedDim: number,
    public numHeads: number,
    dropout: number,
  ) {
    super();
    [this.query, this.key, this.value, this.proj] = [0, 1, 2, 3].map(() => new nn.Linear(embedDim, embedDim));
    this.attnDrop = new nn.Dropout(dropout);
  }
  forward(x: JTensor, memory: JTensor): JTensor {
    const [N, T, E] = x.shape;
    const S = memory.shape[1];
    const [H, D] = [this.numHeads, E / this.numHeads];
    const q = this.query.forward(x).reshape([N, T, H, D]).transpose(1, 2);
    const k = this.key.forward(memory).reshape([N, S, H, D]).transpose(1, 2);
    const v = this.value.forward(memory).reshape([N, S, H, D]).transpose(1, 2);
    let att = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(D));
    att = this.attnDrop.forward(this.softmax.forward(att, -1));
    return this.proj.forward(att.matmul(v).transpose(1, 2).reshape([N, T, E]));
  }
}

/** The course's TransformerDecoderLayer (post-LayerNorm) from js-pytorch modules. */
class DecoderLayer extends nn.Module {
  selfAttn: InstanceType<typeof nn.MultiHeadSelfAttention>;
  crossAttn: CrossAttention;
  linear1: InstanceType<typeof nn.Linear>;
  linear2: InstanceType<typeof nn.Linear>;
  relu = new nn.ReLU();
  drop: InstanceType<typeof nn.Dropout>;
  drop2: InstanceType<typeof nn.Dropout>;
  drop3: InstanceType<typeof nn.Dropout>;
  norm1: InstanceType<typeof nn.LayerNorm>;
  norm2: InstanceType<typeof nn.LayerNorm>;
  norm3: InstanceType<typeof nn.LayerNorm>;
  constructor(E: number, heads: number, T: number, ff: number, p: number) {
    super();
    // Its self-attention ends with its own residual-path dropout, the course's dropout1.
    this.selfAttn = new nn.MultiHeadSelfAttention(E, E, heads, T, p);
    this.crossAttn = new CrossAttention(E, heads, p);
    this.linear1 = new nn.Linear(E, ff);
    this.linear2 = new nn.Linear(ff, E);
    [this.drop, this.drop2, this.drop3] = [0, 1, 2].map(() => new nn.Dropout(p));
    [this.norm1, this.norm2, this.norm3] = [0, 1, 2].map(() => new nn.LayerNorm(E));
  }
  forward(x: JTensor, memory: JTensor): JTensor {
    x = this.norm1.forward(x.add(this.selfAttn.forward(x)));
    x = this.norm2.forward(x.add(this.drop2.forward(this.crossAttn.forward(x, memory))));
    const ff = this.linear2.forward(this.drop.forward(this.relu.forward(this.linear1.forward(x))));
    return this.norm3.forward(x.add(this.drop3.forward(ff)));
  }
}

/**
 * The sin/cos table (T, E): sin on even features, cos on odd, as the course's PositionalEncoding. (T, E), not
 * (1, T, E): js-pytorch broadcasts only a tensor with fewer dimensions whose shape is the other's trailing one.
 */
function sinusoids(T: number, E: number): number[][] {
  return Array.from({ length: T }, (_, t) =>
    Array.from({ length: E }, (_, j) => {
      const angle = t * Math.exp((-(j - (j % 2)) * Math.log(10000)) / E);
      return j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }),
  );
}

class CaptioningTransformer extends nn.Module {
  visual: InstanceType<typeof nn.Linear>;
  embedding: InstanceType<typeof nn.Embedding>;
  pe: JTensor;
  peDrop: InstanceType<typeof nn.Dropout>;
  layers: DecoderLayer[];
  out: InstanceType<typeof nn.Linear>;
  constructor() {
    super();
    const w = spec.workloads['caption-transformer'];
    const E = w.wordvec_dim;
    this.visual = new nn.Linear(w.input_dim, E);
    this.embedding = new nn.Embedding(w.vocab, E);
    this.pe = torch.tensor(sinusoids(w.T, E));
    this.peDrop = new nn.Dropout(w.dropout);
    this.layers = Array.from(
      { length: w.num_layers },
      () => new DecoderLayer(E, w.num_heads, w.T, w.dim_feedforward, w.dropout),
    );
    this.out = new nn.Linear(E, w.vocab);
  }
  /** js-pytorch's Module.parameters() walks own properties only, not arrays of modules. */
  override parameters(): JTensor[] {
    return [...super.parameters(), ...this.layers.flatMap((l) => l.parameters())];
  }
  forward(features: JTensor, captions: JTensor): JTensor {
    const [N] = features.shape;
    const memory = this.visual.forward(features).reshape([N, 1, this.pe.shape[1]]);
    let x = this.peDrop.forward(this.embedding.forward(captions).add(this.pe));
    for (const layer of this.layers) x = layer.forward(x, memory);
    return this.out.forward(x);
  }
}

function captionTransformer(): Outcome {
  const w = spec.workloads['caption-transformer'];
  const [N, T, L] = [w.batch, w.T, w.T + 1];
  // Batches as js-pytorch takes data: nested arrays (built before timing).
  const batches = captionPool('caption-transformer').map((b) => {
    const rows = (n: number, f: (i: number, j: number) => number) =>
      Array.from({ length: N }, (_, i) => Array.from({ length: n }, (_, j) => f(i, j)));
    return {
      features: torch.tensor(rows(w.input_dim, (i, j) => b.features[i * w.input_dim + j])),
      capIn: torch.tensor(rows(T, (i, j) => b.captions[i * L + j])),
      capOut: torch.tensor(rows(T, (i, j) => b.captions[i * L + j + 1])),
    };
  });
  const model = new CaptioningTransformer();
  model.train();
  const o = w.optimizer;
  const opt = new torch.optim.Adam(model.parameters(), o.lr, 0, [o.beta1!, o.beta2!], o.eps);
  const lossFn = new nn.CrossEntropyLoss();
  let i = 0;
  return {
    unitsPerStep: N,
    note:
      'decoder layers assembled from its nn modules (its Block is a pre-LN self-attention-only GPT block): ' +
      'MultiHeadSelfAttention, a cross-attention from Linear/matmul/Softmax, Linear-ReLU-Linear 2048, LayerNorm; ' +
      'CrossEntropyLoss without ignore_index; loss.backward(), optim.Adam',
    step: (want) => {
      const b = batches[i++ % batches.length];
      opt.zero_grad();
      const loss = lossFn.forward(model.forward(b.features, b.capIn), b.capOut);
      loss.backward();
      opt.step();
      if (!want) return undefined;
      const d = loss.data as unknown;
      return typeof d === 'number' ? d : (d as number[])[0];
    },
  };
}

const peer: Peer = {
  label: 'js-pytorch',
  async setup() {
    return "js-pytorch 0.7.2, device 'cpu' (nested JavaScript arrays of doubles, one thread)";
  },
  async prepare(task: Task): Promise<Outcome> {
    if (task.kind === 'caption' && task.model === 'caption-transformer') return captionTransformer();
    return { cannot: 'not run (the issue asks js-pytorch for the Transformer captioning workload only)' };
  },
};

export default peer;
