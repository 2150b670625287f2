"""Golden values for SimCLR's contrastive loss (issue 16), from PyTorch: the course's contrastive_loss.py (its
solutions as written: sim, simclr_loss_naive, sim_positive_pairs, compute_sim_matrix, simclr_loss_vectorized),
in float64, with the gradients of both projections.

Run: /usr/bin/python3 scripts/golden_simclr.py   (Debian's python3-torch)  -> writes test/golden/simclr.npz
"""
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def sim(z_i, z_j):
    return torch.dot(z_i, z_j) / (torch.linalg.norm(z_i) * torch.linalg.norm(z_j))


def simclr_loss_naive(out_left, out_right, tau):
    N = out_left.shape[0]
    out = torch.cat([out_left, out_right], dim=0)
    total_loss = 0
    for k in range(N):
        z_k, z_k_N = out[k], out[k + N]
        for a, b in [(k, k + N), (k + N, k)]:
            num = torch.exp(sim(out[a], out[b]) / tau)
            den = sum(torch.exp(sim(out[a], out[i]) / tau) for i in range(2 * N) if i != a)
            total_loss = total_loss - torch.log(num / den)
    return total_loss / (2 * N)


def sim_positive_pairs(out_left, out_right):
    return (out_left * out_right).sum(dim=1, keepdim=True)


def compute_sim_matrix(out):
    return out @ out.T


def simclr_loss_vectorized(out_left, out_right, tau):
    N = out_left.shape[0]
    out_left = torch.nn.functional.normalize(out_left, dim=1)
    out_right = torch.nn.functional.normalize(out_right, dim=1)
    out = torch.cat([out_left, out_right], dim=0)
    exponential = torch.exp(compute_sim_matrix(out) / tau)
    mask = (torch.ones_like(exponential) - torch.eye(2 * N)).bool()
    exponential = exponential.masked_select(mask).view(2 * N, -1)
    denom = exponential.sum(dim=1, keepdim=True)
    sim_pairs = sim_positive_pairs(out_left, out_right)
    numerator = torch.exp(torch.cat([sim_pairs, sim_pairs], dim=0) / tau)
    return (-torch.log(numerator / denom)).mean()


rng = np.random.default_rng(231)
out = {}
left = rng.normal(0, 1, (5, 7))
right = left + rng.normal(0, 0.5, (5, 7))
out['left'] = left
out['right'] = right
out['sim'] = np.array(sim(torch.tensor(left[0]), torch.tensor(right[2])).item())
for tau in [0.5, 2.0]:
    for name, fn in [('naive', simclr_loss_naive), ('vectorized', simclr_loss_vectorized)]:
        l, r = torch.tensor(left, requires_grad=True), torch.tensor(right, requires_grad=True)
        loss = fn(l, r, tau)
        loss.backward()
        out[f'{name}/{tau:g}'] = np.array(loss.item())
        out[f'{name}/{tau:g}/dleft'] = l.grad.numpy()
        out[f'{name}/{tau:g}/dright'] = r.grad.numpy()

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'simclr.npz')
np.savez(path, **out)
print('wrote', path, len(out), 'arrays')
