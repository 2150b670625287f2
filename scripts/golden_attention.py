"""Golden values for autograd's attention, optimizers and captioning Transformer (issue 15), from PyTorch.

Run: /usr/bin/python3 scripts/golden_attention.py   (Debian's python3-torch)  -> writes test/golden/attention.npz

The course's transformer_layers.py (MultiHeadAttention, PositionalEncoding, TransformerDecoderLayer) and
classifiers/transformer.py (CaptioningTransformer, its loss as CaptioningSolverTransformer computes it) are
restated below as the assignment's solutions are written, in float64, with dropout 0. For each: the
state_dict (PyTorch's names and layouts, as nabla's loadStateDict reads them), the inputs, the output, an
upstream gradient and every gradient. The optimizers: a few steps of torch.optim on fixed gradients.
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(231)
out = {}


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout=0.1):
        super().__init__()
        assert embed_dim % num_heads == 0
        self.key = nn.Linear(embed_dim, embed_dim)
        self.query = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.proj = nn.Linear(embed_dim, embed_dim)
        self.attn_drop = nn.Dropout(dropout)
        self.n_head = num_heads
        self.emd_dim = embed_dim
        self.head_dim = self.emd_dim // self.n_head

    def forward(self, query, key, value, attn_mask=None):
        N, S, E = query.shape
        N, T, E = value.shape
        H = self.n_head
        q = self.query(query).view(N, S, H, E // H).transpose(1, 2)
        k = self.key(key).view(N, T, H, E // H).transpose(1, 2)
        v = self.value(value).view(N, T, H, E // H).transpose(1, 2)
        scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim)
        if attn_mask is not None:
            scores = scores.masked_fill(attn_mask == 0, float('-inf'))
        attn = self.attn_drop(F.softmax(scores, dim=-1))
        y = attn @ v
        return self.proj(y.transpose(1, 2).reshape(N, S, E))


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        assert embed_dim % 2 == 0
        pe = torch.zeros(1, max_len, embed_dim)
        i = torch.arange(max_len)[:, None]
        pows = torch.pow(10000, -torch.arange(0, embed_dim, 2) / embed_dim)
        pe[0, :, 0::2] = torch.sin(i * pows)
        pe[0, :, 1::2] = torch.cos(i * pows)
        self.register_buffer('pe', pe)

    def forward(self, x):
        N, S, D = x.shape
        return self.dropout(x + self.pe[:, :S])


class TransformerDecoderLayer(nn.Module):
    def __init__(self, input_dim, num_heads, dim_feedforward=2048, dropout=0.1):
        super().__init__()
        self.self_attn = MultiHeadAttention(input_dim, num_heads, dropout)
        self.multihead_attn = MultiHeadAttention(input_dim, num_heads, dropout)
        self.linear1 = nn.Linear(input_dim, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, input_dim)
        self.norm1 = nn.LayerNorm(input_dim)
        self.norm2 = nn.LayerNorm(input_dim)
        self.norm3 = nn.LayerNorm(input_dim)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.activation = nn.ReLU()

    def forward(self, tgt, memory, tgt_mask=None):
        tgt2 = self.self_attn(query=tgt, key=tgt, value=tgt, attn_mask=tgt_mask)
        tgt = self.norm1(tgt + self.dropout1(tgt2))
        tgt2 = self.multihead_attn(query=tgt, key=memory, value=memory)
        tgt = self.norm2(tgt + self.dropout2(tgt2))
        tgt2 = self.linear2(self.dropout(self.activation(self.linear1(tgt))))
        return self.norm3(tgt + self.dropout3(tgt2))


class TransformerDecoder(nn.Module):
    def __init__(self, make_layer, num_layers):
        super().__init__()
        self.layers = nn.ModuleList([make_layer() for _ in range(num_layers)])

    def forward(self, tgt, memory, tgt_mask=None):
        for mod in self.layers:
            tgt = mod(tgt, memory, tgt_mask=tgt_mask)
        return tgt


class CaptioningTransformer(nn.Module):
    def __init__(self, word_to_idx, input_dim, wordvec_dim, num_heads=4, num_layers=2, max_length=50,
                 dim_feedforward=2048, dropout=0.1):
        super().__init__()
        vocab_size = len(word_to_idx)
        self._null = word_to_idx['<NULL>']
        self.visual_projection = nn.Linear(input_dim, wordvec_dim)
        self.embedding = nn.Embedding(vocab_size, wordvec_dim, padding_idx=self._null)
        self.positional_encoding = PositionalEncoding(wordvec_dim, dropout=dropout, max_len=max_length)
        self.transformer = TransformerDecoder(
            lambda: TransformerDecoderLayer(wordvec_dim, num_heads, dim_feedforward, dropout), num_layers)
        self.output = nn.Linear(wordvec_dim, vocab_size)

    def forward(self, features, captions):
        N, T = captions.shape
        emb = self.positional_encoding(self.embedding(captions))
        projected = self.visual_projection(features).unsqueeze(1)
        tgt_mask = torch.tril(torch.ones(T, T))
        return self.output(self.transformer(emb, projected, tgt_mask))


def randomize(module, scale=0.3):
    """Every parameter (LayerNorm's too, biases too) random, so each gradient is exercised."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * scale)


def save_case(name, module, inputs, output):
    """State, inputs, output, upstream gradient and every gradient under `name.`."""
    for k, v in module.state_dict().items():
        out[f'{name}.state.{k}'] = v.detach().numpy().copy()
    for k, v in inputs.items():
        out[f'{name}.{k}'] = v.detach().numpy().copy()
    dout = torch.randn_like(output)
    output.backward(dout)
    out[f'{name}.out'] = output.detach().numpy().copy()
    out[f'{name}.dout'] = dout.numpy().copy()
    for k, v in inputs.items():
        if v.requires_grad:
            out[f'{name}.grad.{k}'] = v.grad.numpy().copy()
    for k, p in module.named_parameters():
        out[f'{name}.grad.{k}'] = p.grad.numpy().copy()


def leaf(*shape):
    return torch.randn(*shape).requires_grad_()


# MultiHeadAttention: self-attention with a causal mask, and cross-attention (T != S) without one.
N, S, T, E, H = 2, 4, 3, 8, 2
mha = MultiHeadAttention(E, H, dropout=0.0)
randomize(mha)
q, kv = leaf(N, S, E), leaf(N, S, E)
mask = torch.tril(torch.ones(S, S))
save_case('mha', mha, {'query': q, 'key': kv, 'value': kv, 'mask': mask}, mha(q, kv, kv, mask))
# (key and value are one tensor above: its gradient is the sum of both uses.)
cross = MultiHeadAttention(E, H, dropout=0.0)
randomize(cross)
q2, k2, v2 = leaf(N, S, E), leaf(N, T, E), leaf(N, T, E)
save_case('cross', cross, {'query': q2, 'key': k2, 'value': v2}, cross(q2, k2, v2))

# PositionalEncoding (dropout 0).
pe = PositionalEncoding(E, dropout=0.0, max_len=7)
x = leaf(N, 5, E)
save_case('pe', pe, {'x': x}, pe(x))

# TransformerDecoderLayer (dropout 0), with the causal mask.
dec = TransformerDecoderLayer(E, H, dim_feedforward=12, dropout=0.0)
randomize(dec)
tgt, memory = leaf(N, S, E), leaf(N, 2, E)
save_case('dec', dec, {'tgt': tgt, 'memory': memory, 'mask': mask}, dec(tgt, memory, mask))

# CaptioningTransformer: scores and the course's Transformer loss (masked cross-entropy, mean over N·T).
words = ['<NULL>', '<START>', '<END>', 'a', 'cat', 'dog', 'sat']
word_to_idx = {w: i for i, w in enumerate(words)}
cap = CaptioningTransformer(word_to_idx, input_dim=6, wordvec_dim=E, num_heads=H, num_layers=2,
                            max_length=10, dim_feedforward=12, dropout=0.0)
randomize(cap)
features = torch.randn(3, 6)
captions = torch.tensor([[1, 3, 4, 5, 2, 0], [1, 4, 6, 2, 0, 0], [1, 3, 3, 6, 5, 2]])
cin, cout = captions[:, :-1], captions[:, 1:]
scores = cap(features, cin)
Nc, Tc, V = scores.shape
loss = (F.cross_entropy(scores.reshape(Nc * Tc, V), cout.reshape(-1), reduction='none')
        * (cout != 0).reshape(-1)).mean()
loss.backward()
for k, v in cap.state_dict().items():
    out[f'cap.state.{k}'] = v.detach().numpy().copy()
out['cap.features'] = features.numpy()
out['cap.captions'] = captions.numpy().astype(np.int32)
out['cap.scores'] = scores.detach().numpy()
out['cap.loss'] = np.array(loss.item())
for k, p in cap.named_parameters():
    out[f'cap.grad.{k}'] = p.grad.numpy().copy()

# Optimizers: three steps from the same weights on fixed gradients.
w0 = torch.randn(3, 4)
grads = [torch.randn(3, 4) for _ in range(3)]
out['optim.w0'] = w0.numpy().copy()
for i, g in enumerate(grads):
    out[f'optim.grad{i}'] = g.numpy().copy()
cases = {
    'sgd': lambda p: torch.optim.SGD([p], lr=0.1),
    'momentum': lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    'nesterov': lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True),
    'adam': lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
    'adamw': lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.1),
    'rmsprop': lambda p: torch.optim.RMSprop([p], lr=0.01, alpha=0.9),
}
for name, make in cases.items():
    p = w0.clone().requires_grad_()
    opt = make(p)
    for i, g in enumerate(grads):
        p.grad = g.clone()
        opt.step()
        out[f'optim.{name}.{i}'] = p.detach().numpy().copy()

# Learning-rate schedulers: the rate after each of 6 steps.
p = torch.zeros(1, requires_grad=True)
for name, make in {
    'step': lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    'cosine': lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
}.items():
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    rates = []
    for _ in range(6):
        opt.step()
        sched.step()
        rates.append(opt.param_groups[0]['lr'])
    out[f'lr.{name}'] = np.array(rates)

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'attention.npz')
np.savez(path, **out)
print(f'wrote {path}: {len(out)} arrays')
