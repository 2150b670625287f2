"""Golden values for the GANs of issue 16, from PyTorch: the course's gan_pytorch.py (its solutions as written)
in float64.

Run: /usr/bin/python3 scripts/golden_gan.py   (Debian's python3-torch)  -> writes test/golden/gan.npz

- The losses (bce_loss, discriminator_loss, generator_loss, ls_discriminator_loss, ls_generator_loss) on fixed
  logits, with their gradients.
- The four networks (discriminator, generator, build_dc_classifier, build_dc_generator): parameter counts and
  shapes, and — with every weight set by a formula both sides compute, w = sin(0.37·i + k) / sqrt(n / rows)
  for the k-th tensor of state_dict() (i = 0..n−1 over its n values in PyTorch's layout) — the outputs on
  fixed inputs (batchnorm in training mode) and the gradients of generator_loss(D(G(z))) for a few tensors.
- The networks' initial parameters as the course makes them (PyTorch's defaults, then xavier_uniform_ on the
  weights of Linear and ConvTranspose2d): per state_dict() tensor, its bound (max |value| over 20 draws)
  and standard deviation (mean over the draws): the test checks nabla's draws against both.
"""
import os

import numpy as np
import torch
from course_gan import (NOISE_DIM, bce_loss, build_dc_classifier, build_dc_generator, discriminator,
                        discriminator_loss, generator, generator_loss, ls_discriminator_loss, ls_generator_loss)

torch.set_default_dtype(torch.float64)
out = {}

# The losses on fixed logits.
rng = np.random.default_rng(16)
real = rng.normal(0, 2, (7, 1))
fake = rng.normal(0, 2, (7, 1))
target = rng.uniform(0, 1, 7)
out['loss/real'] = real
out['loss/fake'] = fake
out['loss/target'] = target
for name, fn, args in [
    ('bce', lambda a: bce_loss(a, torch.tensor(target)), [real]),
    ('d', discriminator_loss, [real, fake]),
    ('g', generator_loss, [fake]),
    ('lsd', ls_discriminator_loss, [real, fake]),
    ('lsg', ls_generator_loss, [fake]),
]:
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    v = fn(*ts)
    v.backward()
    out[f'loss/{name}'] = np.array(v.item())
    for i, t in enumerate(ts):
        out[f'loss/{name}/grad{i}'] = t.grad.numpy()


def set_weights(model):
    """Every float tensor of the state_dict by the formula (running statistics: mean 0, variance 1)."""
    sd = model.state_dict()
    for k, (name, t) in enumerate(sd.items()):
        if name.endswith('num_batches_tracked'):
            continue
        if name.endswith('running_mean'):
            t.zero_()
        elif name.endswith('running_var'):
            t.fill_(1)
        else:
            n = t.numel()
            rows = t.shape[0]
            vals = np.sin(0.37 * np.arange(n) + k) / np.sqrt(n / rows)
            t.copy_(torch.tensor(vals).reshape(t.shape))


def initialize_weights(m):
    """The course's notebook, as it builds every GAN."""
    if isinstance(m, (torch.nn.Linear, torch.nn.ConvTranspose2d)):
        torch.nn.init.xavier_uniform_(m.weight.data)


torch.manual_seed(0)
for tag, build in [('mlp/D', discriminator), ('mlp/G', generator), ('dc/D', lambda: build_dc_classifier(4)),
                   ('dc/G', build_dc_generator)]:
    draws = []
    for _ in range(20):
        m = build()
        m.apply(initialize_weights)
        draws.append({k: v.detach().numpy() for k, v in m.state_dict().items() if v.is_floating_point()})
    for k in draws[0]:
        if 'running_' in k or k.endswith('num_batches_tracked'):
            continue
        out[f'init/{tag}/{k}/bound'] = np.array(max(np.abs(d[k]).max() for d in draws))
        out[f'init/{tag}/{k}/std'] = np.array(np.mean([d[k].std() for d in draws]))

N = 4
x = np.sin(0.1 * np.arange(N * 784) + 0.5).reshape(N, 784)
z = np.sin(0.3 * np.arange(N * NOISE_DIM) + 1.0).reshape(N, NOISE_DIM)
out['x'] = x
out['z'] = z
for tag, D, G in [('mlp', discriminator(), generator()), ('dc', build_dc_classifier(N), build_dc_generator())]:
    for part, m in [('D', D), ('G', G)]:
        out[f'{tag}/{part}/numParams'] = np.array(sum(p.numel() for p in m.parameters()))
        set_weights(m)
        m.train()
    out[f'{tag}/D(x)'] = D(torch.tensor(x)).detach().numpy()
    gz = G(torch.tensor(z))
    out[f'{tag}/G(z)'] = gz.detach().numpy()
    loss = generator_loss(D(gz))
    loss.backward()
    out[f'{tag}/gLoss'] = np.array(loss.item())
    names = {'mlp': ['D.1.bias', 'D.5.weight', 'D.5.bias', 'G.0.bias', 'G.4.bias'],
             'dc': ['D.1.weight', 'D.10.bias', 'G.0.bias', 'G.9.weight', 'G.10.weight', 'G.10.bias']}[tag]
    params = {f'D.{k}': p for k, p in D.named_parameters()}
    params.update({f'G.{k}': p for k, p in G.named_parameters()})
    for name in names:
        out[f'{tag}/grad/{name}'] = params[name].grad.numpy()

# The quality numbers: the Inception Score's formula on class probabilities, and the Frechet distance with
# tr sqrtm(S1 S2) taken as the sum of square roots of the (real, non-negative) eigenvalues of S1 S2.
logits = rng.normal(0, 2, (50, 10))
probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
py = probs.mean(0)
out['score/probs'] = probs
out['score/value'] = np.array(np.exp(np.mean(np.sum(probs * (np.log(probs) - np.log(py)), 1))))
fa = rng.normal(0, 1, (40, 6)) @ rng.normal(0, 1, (6, 6))
fb = rng.normal(0.5, 1.5, (30, 6))
mu1, mu2 = fa.mean(0), fb.mean(0)
s1, s2 = np.cov(fa, rowvar=False), np.cov(fb, rowvar=False)
tr_sqrt = np.sum(np.sqrt(np.maximum(np.linalg.eigvals(s1 @ s2).real, 0)))
out['fid/a'] = fa
out['fid/b'] = fb
out['fid/value'] = np.array(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'gan.npz')
np.savez_compressed(path, **out)
print('wrote', path, len(out), 'arrays')
