"""The course's gan_pytorch.py solutions as written (nets and losses), shared by scripts/golden_gan.py (the golden
values) and scripts/torch_dcgan.py (a PyTorch training run of the DCGAN)."""
import torch
import torch.nn as nn

NOISE_DIM = 96


class Flatten(nn.Module):
    def forward(self, x):
        N, C, H, W = x.size() if x.dim() == 4 else (x.size(0), 1, 1, -1)
        return x.view(N, -1)


class Unflatten(nn.Module):
    def __init__(self, N=-1, C=128, H=7, W=7):
        super().__init__()
        self.N, self.C, self.H, self.W = N, C, H, W

    def forward(self, x):
        return x.view(self.N, self.C, self.H, self.W)


def discriminator():
    return nn.Sequential(Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.01), nn.Linear(256, 256),
                         nn.LeakyReLU(0.01), nn.Linear(256, 1))


def generator(noise_dim=NOISE_DIM):
    return nn.Sequential(nn.Linear(noise_dim, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 784), nn.Tanh())


def build_dc_classifier(batch_size):
    return nn.Sequential(
        Unflatten(batch_size, 1, 28, 28),
        nn.Conv2d(1, 32, 5, 1), nn.LeakyReLU(0.01), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, 5, 1), nn.LeakyReLU(0.01), nn.MaxPool2d(2, 2),
        Flatten(),
        nn.Linear(4 * 4 * 64, 4 * 4 * 64), nn.LeakyReLU(0.01),
        nn.Linear(4 * 4 * 64, 1))


def build_dc_generator(noise_dim=NOISE_DIM):
    return nn.Sequential(
        nn.Linear(noise_dim, 1024), nn.ReLU(), nn.BatchNorm1d(1024),
        nn.Linear(1024, 7 * 7 * 128), nn.ReLU(), nn.BatchNorm1d(7 * 7 * 128),
        Unflatten(-1, 128, 7, 7),
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.ReLU(), nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh(),
        Flatten())


def bce_loss(input, target):
    return nn.BCEWithLogitsLoss()(input.squeeze(), target)


def discriminator_loss(logits_real, logits_fake):
    true_labels = torch.ones_like(logits_real.squeeze())
    return bce_loss(logits_real, true_labels) + bce_loss(logits_fake, 1 - true_labels)


def generator_loss(logits_fake):
    return bce_loss(logits_fake, torch.ones_like(logits_fake.squeeze()))


def ls_discriminator_loss(scores_real, scores_fake):
    return 0.5 * torch.mean((scores_real - 1) ** 2) + 0.5 * torch.mean(scores_fake ** 2)


def ls_generator_loss(scores_fake):
    return 0.5 * torch.mean((scores_fake - 1) ** 2)
