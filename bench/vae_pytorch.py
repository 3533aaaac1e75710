#!/usr/bin/env python3
"""The vae family's network written in PyTorch, the way a researcher would write it with the same release (Debian's
python3-torch 1.13): the same convolutional VAE, initialisation law, Adam, batches and sampler, on the images that
build/images_bench dumps (--dump DIR). Times the same parts: `steps` training steps, sampling, held-out -ELBO, and a
whole generation (fit, sample as many images as the training set, and score: -ELBO, then FD with scipy's sqrtm,
5-NN precision and recall with torch.cdist, class shares and pixel diversity, in the features of a LeNet with the
same layout; its weights are random here, which changes no cost). Prints one JSON object like the C++ program.

    /usr/bin/python3 bench/vae_pytorch.py DIR [--sample N] [--threads T]
"""
import argparse
import json
import math
import resource
import time

import numpy as np
import scipy.linalg
import torch
import torch.nn as nn
import torch.nn.functional as F


class Vae(nn.Module):
    def __init__(self, rows, cols, latent, c):
        super().__init__()
        self.h, self.w, self.wide = rows // 4, cols // 4, 2 * c
        self.e1 = nn.Conv2d(1, c, 4, 2, 1)
        self.e2 = nn.Conv2d(c, 2 * c, 4, 2, 1)
        flat = 2 * c * self.h * self.w
        self.mu, self.logvar = nn.Linear(flat, latent), nn.Linear(flat, latent)
        self.d0 = nn.Linear(latent, flat)
        self.d1 = nn.ConvTranspose2d(2 * c, c, 4, 2, 1)
        self.d2 = nn.ConvTranspose2d(c, 1, 4, 2, 1)
        for m in self.modules():  # weight and bias uniform on +-1/sqrt(fan_in), as the C++ side
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                fan_in = m.weight.size(1) * m.weight[0][0].numel()
                bound = 1 / math.sqrt(fan_in)
                nn.init.uniform_(m.weight, -bound, bound)
                nn.init.uniform_(m.bias, -bound, bound)

    def encode(self, x):
        f = F.relu(self.e2(F.relu(self.e1(x)))).flatten(1)
        return self.mu(f), self.logvar(f)

    def decode(self, z):
        return self.d2(F.relu(self.d1(F.relu(self.d0(z)).view(-1, self.wide, self.h, self.w))))

    def loss_terms(self, x):
        m, lv = self.encode(x)
        z = m + torch.exp(0.5 * lv) * torch.randn_like(m)
        rec = F.binary_cross_entropy_with_logits(self.decode(z), x, reduction="sum")
        kl = -0.5 * (1 + lv - m.pow(2) - lv.exp()).sum()
        return rec, kl


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def features(self, x):
        y = F.max_pool2d(F.relu(self.c1(x)), 2)
        y = F.max_pool2d(F.relu(self.c2(y)), 2).flatten(1)
        return F.relu(self.f2(F.relu(self.f1(y))))


def unit(u8):
    return u8.float().div_(255.0)


def fit(net, data, steps, batch, lr):
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    n = data.size(0)
    order, at = None, n
    net.train()
    for _ in range(steps):
        if at >= n:
            order, at = torch.randperm(n), 0
        idx = order[at:at + batch]
        at += len(idx)
        x = unit(data[idx])
        rec, kl = net.loss_terms(x)
        loss = (rec + kl) / x.size(0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()


@torch.no_grad()
def sample(net, n, latent):
    out = []
    for start in range(0, n, 512):
        b = min(512, n - start)
        x = torch.sigmoid(net.decode(torch.randn(b, latent)))
        out.append(x.mul(255).round().clamp(0, 255).to(torch.uint8))
    return torch.cat(out)


@torch.no_grad()
def neg_elbo(net, data):
    total = 0.0
    for start in range(0, data.size(0), 512):
        rec, kl = net.loss_terms(unit(data[start:start + 512]))
        total += (rec + kl).item()
    return total / data.size(0)


@torch.no_grad()
def features(lenet, u8):
    f, c = [], []
    for start in range(0, u8.size(0), 512):
        x = lenet.features(unit(u8[start:start + 512]))
        f.append(x)
        c.append(lenet.f3(x).argmax(1))
    return torch.cat(f).double(), torch.cat(c)


def frechet(a, b):
    ma, mb = a.mean(0).numpy(), b.mean(0).numpy()
    sa, sb = np.cov(a.numpy(), rowvar=False), np.cov(b.numpy(), rowvar=False)
    root = scipy.linalg.sqrtm(sa @ sb).real
    return float(((ma - mb) ** 2).sum() + np.trace(sa) + np.trace(sb) - 2 * np.trace(root))


def radii(x, k=5):
    return torch.cdist(x, x).kthvalue(k + 1, dim=1).values


def precision_recall(real, fake, k=5):
    precision = (torch.cdist(fake, real) <= radii(real, k)[None, :]).any(1).double().mean().item()
    recall = (torch.cdist(real, fake) <= radii(fake, k)[None, :]).any(1).double().mean().item()
    return precision, recall


def score(net, lenet, test, reference, metric_samples, latent):
    out = {"neg_elbo": neg_elbo(net, test)}
    generated = sample(net, metric_samples, latent)
    f, classes = features(lenet, generated)
    out["fd"] = frechet(reference, f)
    out["precision"], out["recall"] = precision_recall(reference, f)
    shares = torch.bincount(classes, minlength=10).double() / metric_samples
    out["class_entropy"] = float(-(shares[shares > 0] * shares[shares > 0].log()).sum())
    out["pixel_diversity"] = torch.pdist(unit(generated).flatten(1).double()).mean().item()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--sample", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    config = json.load(open(f"{a.dir}/config.json"))
    rows, cols = config["truth"]["rows"], config["truth"]["cols"]
    latent, channels = config["network"]["latent"], config["network"]["channels"]
    steps, batch, lr = config["optimiser"]["steps"], config["optimiser"]["batch"], config["optimiser"]["lr"]
    metric_samples = config["metrics"]["generated_images"]
    load = lambda name: torch.from_numpy(np.fromfile(f"{a.dir}/{name}", dtype=np.uint8)).view(-1, 1, rows, cols)
    train, test = load("train.u8"), load("test.u8")
    lenet = LeNet().eval()
    reference, _ = features(lenet, test)
    out = {"parameters": sum(p.numel() for p in Vae(rows, cols, latent, channels).parameters())}

    net = Vae(rows, cols, latent, channels)
    t0 = time.perf_counter()
    fit(net, train, steps, batch, lr)
    out["train_seconds"] = time.perf_counter() - t0
    out["train_images_per_s"] = steps * batch / out["train_seconds"]
    t0 = time.perf_counter()
    sample(net, a.sample, latent)
    out["sample_seconds"] = time.perf_counter() - t0
    out["sample_images_per_s"] = a.sample / out["sample_seconds"]
    t0 = time.perf_counter()
    out["heldout_loss"] = neg_elbo(net, test)
    out["eval_seconds"] = time.perf_counter() - t0
    out["eval_images_per_s"] = test.size(0) / out["eval_seconds"]

    t0 = time.perf_counter()
    g = Vae(rows, cols, latent, channels)
    fit(g, train, steps, batch, lr)
    sample(g, train.size(0), latent)
    scores = score(g, lenet, test, reference, metric_samples, latent)
    out["generation_seconds"] = time.perf_counter() - t0
    out["fd"] = scores["fd"]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
