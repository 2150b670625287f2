"""Golden values for SimCLR's augmentation (issue 16): torchvision's tensor transforms on fixed parameters.

Run: /usr/bin/python3 scripts/golden_simclr_augment.py   (Debian's python3-torch and python3-torchvision)
  -> writes test/golden/simclr_augment.npz

Each deterministic piece of compute_train_transform (RandomResizedCrop's resized_crop, ColorJitter's four
adjustments, RandomGrayscale, Normalize) applied by torchvision.transforms.functional to one float64 image.
"""
import os

import numpy as np
import torch
import torchvision.transforms.functional as TF

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(16)
img = torch.tensor(rng.uniform(0, 1, (3, 13, 11)))
out = {'img': img.numpy()}
out['brightness'] = TF.adjust_brightness(img, 1.3).numpy()
out['contrast'] = TF.adjust_contrast(img, 0.7).numpy()
out['saturation'] = TF.adjust_saturation(img, 1.4).numpy()
out['hue+'] = TF.adjust_hue(img, 0.08).numpy()
out['hue-'] = TF.adjust_hue(img, -0.05).numpy()
out['grayscale'] = TF.rgb_to_grayscale(img, num_output_channels=3).numpy()
# Downscaling (9x7 window to 4x5) and upscaling (window to 32x32), bilinear without antialiasing.
out['crop/down'] = TF.resized_crop(img, 2, 3, 9, 7, [4, 5], antialias=False).numpy()
out['crop/up'] = TF.resized_crop(img, 1, 2, 10, 8, [32, 32], antialias=False).numpy()
out['normalize'] = TF.normalize(img, [0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]).numpy()

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'simclr_augment.npz')
np.savez(path, **out)
print('wrote', path, len(out), 'arrays')
