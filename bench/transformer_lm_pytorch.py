#!/usr/bin/env python3
"""The transformer_lm network written in PyTorch, the way a researcher would write it with the same release
(Debian's python3-torch 1.13): the same architecture, initialisation, optimiser, schedule, batches and sampler
(a key-value cache), on the token data that build/transformer_lm_bench dumps (--dump DIR). Times the same parts:
one training epoch, sampling from BOS, held-out evaluation, and a whole generation (fit, sample as many sentences as
the training set, evaluate). Prints one JSON object like the C++ program.

    /usr/bin/python3 bench/transformer_lm_pytorch.py DIR [--sample N] [--threads T]
"""
import argparse
import json
import math
import random
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def split(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        return q, k, v

    def finish(self, x, y):
        b, t, c = x.shape
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))

    def forward(self, x, future):
        q, k, v = self.split(x)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
        att = torch.softmax(att.masked_fill(future, float("-inf")), -1)
        return self.finish(x, att @ v)

    def step(self, x, t, keys, values):
        q, k, v = self.split(x)
        keys[:, :, t:t + 1] = k
        values[:, :, t:t + 1] = v
        att = torch.softmax((q @ keys[:, :, :t + 1].transpose(-2, -1)) / math.sqrt(q.size(-1)), -1)
        return self.finish(x, att @ values[:, :, :t + 1])


class GPT(nn.Module):
    def __init__(self, vocab, layers, d, heads, context):
        super().__init__()
        self.context, self.heads, self.d = context, heads, d
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.lnf = nn.LayerNorm(d)
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("proj.weight", "out.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias") and "ln" not in name:
                nn.init.zeros_(p)

    def head(self, x):
        return self.lnf(x) @ self.tok.weight.t()

    def forward(self, idx):
        t = idx.size(1)
        x = self.tok(idx) + self.pos(torch.arange(t))
        future = torch.ones(t, t, dtype=torch.bool).triu(1)
        for b in self.blocks:
            x = b(x, future)
        return self.head(x)


def batch_of(rows, bos, eos):
    t = max(len(r) for r in rows) + 1
    inp = torch.full((len(rows), t), eos, dtype=torch.long)
    tgt = torch.full((len(rows), t), -100, dtype=torch.long)
    for i, r in enumerate(rows):
        inp[i, 0] = bos
        inp[i, 1:len(r) + 1] = torch.tensor(r, dtype=torch.long)
        tgt[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        tgt[i, len(r)] = eos
    return inp, tgt


def train(model, data, opt_cfg, bos, eos, seed):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": opt_cfg["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=opt_cfg["lr"], betas=tuple(opt_cfg["betas"]))
    b, warmup = opt_cfg["batch"], opt_cfg["warmup"]
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    total = (len(data) + b - 1) // b
    model.train()
    for step in range(total):
        lr = opt_cfg["lr"] * (step + 1) / warmup if step < warmup else \
            opt_cfg["lr"] * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
        for g in opt.param_groups:
            g["lr"] = lr
        inp, tgt = batch_of([data[i] for i in order[step * b:(step + 1) * b]], bos, eos)
        logits = model(inp)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), opt_cfg["clip"])
        opt.step()
    model.eval()


@torch.no_grad()
def evaluate(model, data, bos, eos):
    nats, tokens = 0.0, 0
    for s in range(0, len(data), 64):
        inp, tgt = batch_of(data[s:s + 64], bos, eos)
        logits = model(inp)
        nats += F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1), ignore_index=-100,
                                reduction="sum").item()
        tokens += int((tgt != -100).sum())
    return nats / tokens


@torch.no_grad()
def sample(model, n, bos, eos, batch=256):
    out = []
    dh = model.d // model.heads
    for start in range(0, n, batch):
        b = min(batch, n - start)
        keys = [torch.zeros(b, model.heads, model.context, dh) for _ in model.blocks]
        values = [torch.zeros(b, model.heads, model.context, dh) for _ in model.blocks]
        seqs, done = [[] for _ in range(b)], [False] * b
        token = torch.full((b, 1), bos, dtype=torch.long)
        for t in range(model.context - 1):
            x = model.tok(token) + model.pos(torch.tensor([t]))
            for blk, k, v in zip(model.blocks, keys, values):
                x = blk.step(x, t, k, v)
            probs = torch.softmax(model.head(x)[:, 0], -1)
            token = torch.multinomial(probs, 1)
            for i, tok in enumerate(token[:, 0].tolist()):
                if not done[i]:
                    if tok == eos:
                        done[i] = True
                    else:
                        seqs[i].append(tok)
            if all(done):
                break
        out.extend(seqs)
    return out


def tokens_of(xs):
    return sum(len(x) + 1 for x in xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    cfg = json.load(open(f"{a.dir}/config.json"))
    read = lambda name: [[int(w) for w in line.split()] for line in open(f"{a.dir}/{name}")]
    train_data, heldout = read("train.txt"), read("heldout.txt")
    net, opt = cfg["network"], cfg["optimiser"]
    vocab, bos, eos = cfg["tokenizer"]["vocab"], 1, 2
    make = lambda: GPT(vocab, net["layers"], net["d_model"], net["heads"], net["context"])
    out = {"parameters": sum(p.numel() for p in make().parameters())}

    model = make()
    t0 = time.perf_counter()
    train(model, train_data, opt, bos, eos, 1)
    out["train_seconds"] = time.perf_counter() - t0
    out["train_tokens_per_s"] = tokens_of(train_data) / out["train_seconds"]

    t0 = time.perf_counter()
    sampled = sample(model, a.sample, bos, eos)
    out["sample_seconds"] = time.perf_counter() - t0
    out["sample_tokens_per_s"] = tokens_of(sampled) / out["sample_seconds"]

    t0 = time.perf_counter()
    out["cross_entropy"] = evaluate(model, heldout, bos, eos)
    out["eval_seconds"] = time.perf_counter() - t0
    out["eval_tokens_per_s"] = tokens_of(heldout) / out["eval_seconds"]

    t0 = time.perf_counter()
    model = make()
    train(model, train_data, opt, bos, eos, 1)
    sample(model, len(train_data), bos, eos)
    evaluate(model, heldout, bos, eos)
    out["generation_seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
