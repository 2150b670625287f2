"""The course's SimCLR augmentation (compute_train_transform) in torchvision, on the simclr-augment workload.

`python3 bench/compare/peers/torchvision_augment.py simclr-augment [--quick]` prints one line `@@compare <json>`
as bench/compare/child.ts does. As the course runs it: CIFAR10Pair hands each PIL image to the Compose below
(RandomResizedCrop(32), RandomHorizontalFlip(0.5), RandomApply([ColorJitter(0.4, 0.4, 0.4, 0.1)], 0.8),
RandomGrayscale(0.2), ToTensor, Normalize), one image at a time; a step augments the 512 images of a batch and
stacks them. The PIL images are made from the workload's data (uniform [0, 1) pixels, as uint8) before timing.
torch's intra-op threads are left at their default (2 on this machine); the per-image PIL work is one thread.
Same timing protocol as numpy_caption.py.
"""
import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

from numpy_caption import SPEC, run_cell, u32


def compute_train_transform(seed=123):
    """The course's cs231n/simclr/data_utils.py compute_train_transform."""
    torch.manual_seed(seed)
    color_jitter = transforms.ColorJitter(0.4, 0.4, 0.4, 0.1)
    return transforms.Compose(
        [
            transforms.RandomResizedCrop(32),
            transforms.RandomHorizontalFlip(p=0.5),
            transforms.RandomApply([color_jitter], p=0.8),
            transforms.RandomGrayscale(p=0.2),
            transforms.ToTensor(),
            transforms.Normalize([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010]),
        ]
    )


def prepare():
    w = SPEC["workloads"]["simclr-augment"]
    n, (c, h, wd) = w["batch"], w["image"]
    seed = SPEC["generator"]["seeds"]["data"]
    pools = []
    for b in range(SPEC["timing"]["batches_in_pool"]):
        x = (u32(np.arange(n * c * h * wd), seed + b * 1000) / 2.0**32).reshape(n, c, h, wd)
        hwc = (x.transpose(0, 2, 3, 1) * 255).astype(np.uint8)
        pools.append([Image.fromarray(img) for img in hwc])
    transform = compute_train_transform()
    i = [0]

    def step():
        batch = pools[i[0] % len(pools)]
        i[0] += 1
        torch.stack([transform(img) for img in batch])
        return 0.0

    return step, n


def main():
    run_cell(
        "torchvision",
        lambda: f"torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} "
        "threads, the course's compute_train_transform on PIL images",
        "simclr-augment",
        prepare,
        "Compose(RandomResizedCrop, RandomHorizontalFlip, RandomApply(ColorJitter), RandomGrayscale, ToTensor, "
        "Normalize) per PIL image, torch.stack",
        "not written (the torchvision peer covers SimCLR's augmentation only)",
        report_loss=False,
    )


if __name__ == "__main__":
    main()
