"""The course's DCGAN trained by PyTorch, as a reference for `npm run results -- gan`: does a faithful PyTorch
run of gan_pytorch.py's DCGAN, at the course's settings, reach issue 16's bar under nabla's own judge?

Run (Debian's python3-torch; the digits come from nabla, nothing is downloaded):
    npx tsx scripts/score_digits.ts --export-mnist /tmp/mnist-train.npy
    /usr/bin/python3 scripts/torch_dcgan.py /tmp/mnist-train.npy /tmp/torch-dcgan.npy [--epochs 5] [--seed 0] [--threads 2] [--every-epoch]
    npx tsx scripts/score_digits.ts /tmp/torch-dcgan.npy
    npx tsx scripts/score_digits.ts --generator /tmp/torch-dcgan-G.npz [--batch-stats]

The nets and losses are scripts/course_gan.py's (the course's solutions, also behind golden_gan.py); as in the
course's notebook: xavier_uniform_ on Linear and ConvTranspose2d weights, the first 50,000 training digits
scaled to [-1, 1], batch 128 (last partial batch dropped), Adam 1e-3 with betas (0.5, 0.999), one D step
then one G step per batch on fresh noise. 10,000 digits are then drawn in training mode (batch statistics,
as the notebook shows its samples) and saved as (10000, 784) float32 in [-1, 1], the generator's state dict
beside them as numpy arrays (<out>-G.npz: `npx tsx scripts/score_digits.ts --generator <out>-G.npz` draws again
from it with nabla, in eval mode or with batch statistics).
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
from course_gan import NOISE_DIM, bce_loss, build_dc_classifier, build_dc_generator

p = argparse.ArgumentParser()
p.add_argument('mnist')
p.add_argument('out')
p.add_argument('--epochs', type=int, default=5)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--threads', type=int, default=0)
p.add_argument('--every-epoch', action='store_true',
               help='also save the samples after each epoch, as <out>-epoch<k>.npy (draws from the same RNG)')
args = p.parse_args()
torch.manual_seed(args.seed)
if args.threads:
    torch.set_num_threads(args.threads)
BATCH = 128


def initialize_weights(m):
    if isinstance(m, (nn.Linear, nn.ConvTranspose2d)):
        nn.init.xavier_uniform_(m.weight.data)


def sample_noise(n, dim):
    return 2 * torch.rand(n, dim) - 1


D, G = build_dc_classifier(BATCH), build_dc_generator()
D.apply(initialize_weights)
G.apply(initialize_weights)
D_solver = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
G_solver = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))

digits = np.load(args.mnist)[:50000].reshape(-1, 784).astype(np.float32) / 255
x_all = torch.from_numpy(2 * (digits - 0.5))


def save_samples(path):
    with torch.no_grad():
        out = torch.cat([G(sample_noise(500, NOISE_DIM)) for _ in range(20)])
    np.save(path, out.numpy().astype(np.float32))
    np.savez(path.removesuffix('.npy') + '-G.npz', **{k: v.numpy() for k, v in G.state_dict().items()})
    print(f'wrote {path} and its generator: {tuple(out.shape)}', flush=True)


t0 = time.time()
for epoch in range(args.epochs):
    order = torch.randperm(x_all.shape[0])
    for it in range(x_all.shape[0] // BATCH):
        x = x_all[order[it * BATCH:(it + 1) * BATCH]]
        D_solver.zero_grad()
        logits_real = D(x)
        fake = G(sample_noise(BATCH, NOISE_DIM)).detach()
        logits_fake = D(fake)
        ones = torch.ones(BATCH)
        d_error = bce_loss(logits_real, ones) + bce_loss(logits_fake, 0 * ones)
        d_error.backward()
        D_solver.step()
        G_solver.zero_grad()
        g_error = bce_loss(D(G(sample_noise(BATCH, NOISE_DIM))), ones)
        g_error.backward()
        G_solver.step()
    print(f'epoch {epoch + 1}: D {d_error.item():.4f} G {g_error.item():.4f} ({time.time() - t0:.0f} s)', flush=True)
    if args.every_epoch and epoch + 1 < args.epochs:
        save_samples(args.out.removesuffix('.npy') + f'-epoch{epoch + 1}.npy')

save_samples(args.out)
