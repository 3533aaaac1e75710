#!/usr/bin/env python3
"""The diffusion family's model written in PyTorch, the way a researcher would write it with the same release
(Debian's python3-torch 1.13): the same MLP noise predictor on [x_t, sinusoidal embedding of t], DDPM's loss with
the same (scaled) linear schedule, Adam and batches, and the same DDIM sampler, in the latent space of an
autoencoder of the same layout, on the images that build/images_bench --family diffusion dumps (--dump DIR). The
autoencoder here has random weights: its cost per image does not depend on them, and it is trained once outside a
generation on both sides. Times the same parts and prints one JSON object like the C++ program.

    /usr/bin/python3 bench/diffusion_pytorch.py DIR [--sample N] [--threads T]
"""
import argparse
import json
import math
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from vae_pytorch import LeNet, Vae, features, frechet, precision_recall, unit


class Denoiser(nn.Module):
    def __init__(self, dim, width, depth):
        super().__init__()
        layers, inp = [], dim + 64
        for _ in range(depth):
            layers.append(nn.Linear(inp, width))
            inp = width
        self.layers = nn.ModuleList(layers)
        self.out = nn.Linear(inp, dim)
        self.register_buffer("freq", torch.exp(-math.log(10000.0) * torch.arange(32) / 32.0)[None, :])

    def forward(self, x, t):
        angle = t.float()[:, None] * self.freq
        h = torch.cat([x, torch.sin(angle), torch.cos(angle)], 1)
        for layer in self.layers:
            h = F.silu(layer(h))
        return self.out(h)


def alpha_bar(T):
    scale = 1000.0 / T
    betas = torch.linspace(min(0.999, 1e-4 * scale), min(0.999, 0.02 * scale), T, dtype=torch.float64)
    return torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1 - betas, 0)])


def noise_loss(net, x0, ab):
    t = torch.randint(1, ab.numel(), (x0.size(0),))
    eps = torch.randn_like(x0)
    a = ab[t].float()[:, None]
    return F.mse_loss(net(a.sqrt() * x0 + (1 - a).sqrt() * eps, t), eps)


def fit(net, z, ab, epochs, steps, batch, lr):
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    n = z.size(0)
    total = steps if steps > 0 else epochs * ((n + batch - 1) // batch)
    order, at = None, n
    net.train()
    for _ in range(total):
        if at >= n:
            order, at = torch.randperm(n), 0
        idx = order[at:at + batch]
        at += len(idx)
        loss = noise_loss(net, z[idx], ab)
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()


@torch.no_grad()
def ddim(net, n, dim, ab, steps, temperature):
    T = ab.numel() - 1
    tau = [T] if steps == 1 else [round(T - (T - 1) * i / (steps - 1)) for i in range(steps)]
    out = []
    for start in range(0, n, 512):
        b = min(512, n - start)
        x = temperature * torch.randn(b, dim)
        for i, t in enumerate(tau):
            a, nxt = ab[t].item(), (ab[tau[i + 1]].item() if i + 1 < len(tau) else 1.0)
            e = net(x, torch.full((b,), t, dtype=torch.long))
            x0 = (x - math.sqrt(1 - a) * e) / math.sqrt(a)
            x = math.sqrt(nxt) * x0 + math.sqrt(1 - nxt) * e
        out.append(x)
    return torch.cat(out)


@torch.no_grad()
def encode(ae, u8):
    return torch.cat([ae.encode(unit(u8[s:s + 512]))[0] for s in range(0, u8.size(0), 512)])


@torch.no_grad()
def decode(ae, z):
    out = []
    for s in range(0, z.size(0), 512):
        x = torch.sigmoid(ae.decode(z[s:s + 512]))
        out.append(x.mul(255).round().clamp(0, 255).to(torch.uint8))
    return torch.cat(out)


@torch.no_grad()
def test_loss(net, z, ab):
    torch.manual_seed(7)
    return sum(noise_loss(net, z[s:s + 512], ab).item() * z[s:s + 512].size(0) for s in range(0, z.size(0), 512)) / z.size(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--sample", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    c = json.load(open(f"{a.dir}/config.json"))
    rows, cols = c["truth"]["rows"], c["truth"]["cols"]
    dim, channels = c["latent_space"]["latent"], c["latent_space"]["channels"]
    width, depth = c["network"]["width"], c["network"]["depth"]
    T, steps_s, temperature = c["process"]["train_steps"], c["process"]["sample_steps"], c["process"]["temperature"]
    o = c["optimiser"]
    metric_samples = c["metrics"]["generated_images"]
    load = lambda name: torch.from_numpy(np.fromfile(f"{a.dir}/{name}", dtype=np.uint8)).view(-1, 1, rows, cols)
    train, test = load("train.u8"), load("test.u8")
    ab = alpha_bar(T)
    ae = Vae(rows, cols, dim, channels).eval()
    lenet = LeNet().eval()
    reference, _ = features(lenet, test)
    z = encode(ae, train)
    mean, sd = z.mean(0), z.std(0, unbiased=False).clamp_min(1e-6)
    z = (z - mean) / sd
    zt = (encode(ae, test) - mean) / sd
    out = {"parameters": sum(p.numel() for p in Denoiser(dim, width, depth).parameters())}
    trained = o["steps"] * o["batch"] if o["steps"] > 0 else o["epochs"] * train.size(0)

    net = Denoiser(dim, width, depth)
    t0 = time.perf_counter()
    fit(net, encode(ae, train).sub(mean).div(sd), ab, o["epochs"], o["steps"], o["batch"], o["lr"])
    out["train_seconds"] = time.perf_counter() - t0
    out["train_images_per_s"] = trained / out["train_seconds"]
    t0 = time.perf_counter()
    decode(ae, ddim(net, a.sample, dim, ab, steps_s, temperature) * sd + mean)
    out["sample_seconds"] = time.perf_counter() - t0
    out["sample_images_per_s"] = a.sample / out["sample_seconds"]
    t0 = time.perf_counter()
    out["heldout_loss"] = test_loss(net, zt, ab)
    out["eval_seconds"] = time.perf_counter() - t0
    out["eval_images_per_s"] = test.size(0) / out["eval_seconds"]

    t0 = time.perf_counter()
    g = Denoiser(dim, width, depth)
    fit(g, encode(ae, train).sub(mean).div(sd), ab, o["epochs"], o["steps"], o["batch"], o["lr"])
    decode(ae, ddim(g, train.size(0), dim, ab, steps_s, temperature) * sd + mean)
    test_loss(g, zt, ab)
    generated = decode(ae, ddim(g, metric_samples, dim, ab, steps_s, temperature) * sd + mean)
    f, classes = features(lenet, generated)
    frechet(reference, f)
    precision_recall(reference, f)
    torch.bincount(classes, minlength=10)
    torch.pdist(unit(generated).flatten(1).double()).mean().item()
    out["generation_seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
