#pragma once
// The network in libtorch, shared by the torch module's sources (gpt_torch.cpp: initialisation, training, loss,
// checkpoints; gpt_sampling.cpp: sampling and beam search). Included by nothing outside the module: it is the only
// header that names torch.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <limits>

#include "ouroboros/families/transformer_lm/gpt.hpp"

namespace ouro::lm {


inline at::Generator generator(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// Inverted dropout with a mask from `gen` (torch::dropout would draw from the global generator).
inline torch::Tensor drop(const torch::Tensor& x, double p, at::Generator* gen) {
  if (gen == nullptr || p <= 0) return x;
  // The generator is a CPU one (device = cuda too): the mask is drawn on the CPU and moved.
  const auto keep = torch::empty(x.sizes()).bernoulli_(1.0 - p, *gen).to(x.device());
  return x * keep / (1.0 - p);
}

// CTRL's repetition penalty on the tokens `seen` (rows, vocab) already in each sequence (gpt.hpp).
inline torch::Tensor penalise(const torch::Tensor& logits, const torch::Tensor& seen, double penalty) {
  return torch::where(seen, torch::where(logits > 0, logits / penalty, logits * penalty), logits);
}

inline constexpr double kInitStd = 0.02;
inline constexpr std::int64_t kIgnore = -100;

struct Block : torch::nn::Module {
  Block(const GptConfig& c, double dropout)
      : heads(c.heads),
        p(dropout),
        ln1(register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.d_model})))),
        qkv(register_module("qkv", torch::nn::Linear(c.d_model, 3 * c.d_model))),
        proj(register_module("proj", torch::nn::Linear(c.d_model, c.d_model))),
        ln2(register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.d_model})))),
        fc(register_module("fc", torch::nn::Linear(c.d_model, 4 * c.d_model))),
        out(register_module("out", torch::nn::Linear(4 * c.d_model, c.d_model))) {}

  // q, k, v of x (B, T, C), each (B, heads, T, C / heads).
  std::array<torch::Tensor, 3> split(const torch::Tensor& x) {
    const auto b = x.size(0), t = x.size(1), c = x.size(2);
    const auto parts = qkv(ln1(x)).view({b, t, 3, heads, c / heads}).permute({2, 0, 3, 1, 4});
    return {parts[0], parts[1], parts[2]};
  }
  torch::Tensor finish(const torch::Tensor& x, const torch::Tensor& y, at::Generator* gen) {
    const auto b = x.size(0), t = x.size(1), c = x.size(2);
    auto h = x + drop(proj(y.transpose(1, 2).contiguous().view({b, t, c})), p, gen);
    return h + drop(out(torch::gelu(fc(ln2(h)))), p, gen);
  }
  // Whole sequences, with the pairs in `blocked` masked (training and evaluation).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& blocked, at::Generator* gen) {
    auto [q, k, v] = split(x);
    auto att = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
    att = drop(torch::softmax(att.masked_fill(blocked, -std::numeric_limits<float>::infinity()), -1), p, gen);
    return finish(x, torch::matmul(att, v), gen);
  }
  // One new position t for every sequence of the batch, x (B, 1, C), with keys and values of positions < t in
  // the caches (B, heads, context, C / heads); writes position t's into them.
  torch::Tensor step(const torch::Tensor& x, std::int64_t t, torch::Tensor& keys, torch::Tensor& values) {
    auto [q, k, v] = split(x);
    keys.narrow(2, t, 1).copy_(k);
    values.narrow(2, t, 1).copy_(v);
    auto att = torch::matmul(q, keys.narrow(2, 0, t + 1).transpose(-2, -1)) *
               (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
    return finish(x, torch::matmul(torch::softmax(att, -1), values.narrow(2, 0, t + 1)), nullptr);
  }

  std::int64_t heads;
  double p;
  torch::nn::LayerNorm ln1;
  torch::nn::Linear qkv, proj;
  torch::nn::LayerNorm ln2;
  torch::nn::Linear fc, out;
};

struct Net : torch::nn::Module {
  explicit Net(const GptConfig& c)
      : config(c),
        device(c.cuda ? torch::kCUDA : torch::kCPU),
        tok(register_module("tok", torch::nn::Embedding(c.vocab, c.d_model))),
        pos(register_module("pos", torch::nn::Embedding(c.context, c.d_model))),
        lnf(register_module("lnf", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.d_model})))) {
    for (std::int64_t i = 0; i < c.layers; ++i)
      blocks.push_back(register_module("block" + std::to_string(i), std::make_shared<Block>(c, c.dropout)));
  }

  torch::Tensor head(const torch::Tensor& x) { return torch::matmul(lnf(x), tok->weight.t()); }

  // The residual stream (R, T, C) after the last block, for inputs (R, T) at `positions` (R, T), where blocked
  // (R, 1, T, T) or (T, T) is true for the pairs (query, key) that may not attend; dropout when `gen` is given.
  torch::Tensor body(const torch::Tensor& idx, const torch::Tensor& positions, const torch::Tensor& blocked,
                     at::Generator* gen) {
    auto x = drop(tok(idx) + pos(positions), config.dropout, gen);
    for (auto& b : blocks) x = b->forward(x, blocked, gen);
    return x;
  }
  // Logits (1, T, vocab) of one sequence (1, T).
  torch::Tensor forward(const torch::Tensor& idx) {
    const auto t = idx.size(1);
    return head(body(idx.to(device), torch::arange(t, longs()), torch::ones({t, t}, bools()).triu(1), nullptr));
  }
  // The summed cross-entropy of the predicted positions (targets other than kIgnore). The head (the largest
  // matrix product with a small model and a large vocabulary) and the softmax run on those rows only.
  torch::Tensor summed_loss(const torch::Tensor& idx, const torch::Tensor& positions, const torch::Tensor& blocked,
                            const torch::Tensor& target, at::Generator* gen) {
    const auto x = body(idx, positions, blocked, gen);
    const auto flat = target.reshape({-1});
    const auto rows = flat.ne(kIgnore).nonzero().squeeze(1);
    const auto logits = head(x.reshape({-1, x.size(-1)}).index_select(0, rows));
    return torch::nn::functional::cross_entropy(
        logits, flat.index_select(0, rows),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  }

  // Next-token logits (B, vocab) at position t for tokens (B, 1), through the key-value caches.
  torch::Tensor step(const torch::Tensor& token, std::int64_t t, std::vector<torch::Tensor>& keys,
                     std::vector<torch::Tensor>& values) {
    auto x = tok(token.to(device)) + pos(torch::full({1}, t, longs()));
    for (std::size_t l = 0; l < blocks.size(); ++l) x = blocks[l]->step(x, t, keys[l], values[l]);
    return head(x).squeeze(1);
  }
  // Empty caches for a batch of b sequences.
  void caches(std::int64_t b, std::vector<torch::Tensor>& keys, std::vector<torch::Tensor>& values) const {
    keys.clear();
    values.clear();
    for (std::int64_t l = 0; l < config.layers; ++l) {
      keys.push_back(torch::zeros({b, config.heads, config.context, config.d_model / config.heads}, floats()));
      values.push_back(torch::zeros({b, config.heads, config.context, config.d_model / config.heads}, floats()));
    }
  }

  torch::TensorOptions longs() const { return torch::TensorOptions().dtype(torch::kLong).device(device); }
  torch::TensorOptions bools() const { return torch::TensorOptions().dtype(torch::kBool).device(device); }
  torch::TensorOptions floats() const { return torch::TensorOptions().dtype(torch::kFloat).device(device); }

  GptConfig config;
  torch::Device device;
  torch::nn::Embedding tok, pos;
  std::vector<std::shared_ptr<Block>> blocks;
  torch::nn::LayerNorm lnf;
};

class TorchGpt final : public Gpt {
 public:
  explicit TorchGpt(const GptConfig& config) : config_(config), net_(std::make_unique<Net>(config)) {}
  void init(std::uint64_t seed);
  static TorchGpt* from_bytes(const std::string& bytes);

  std::shared_ptr<Gpt> clone() const override;
  const GptConfig& config() const override { return config_; }
  std::int64_t parameters() const override;
  TrainReport train(std::span<const Tokens> data, const TrainConfig& config, Rng& rng, int threads,
                    const CancelToken& cancel, const std::function<void(double)>& progress) override;
  Loss loss(std::span<const Tokens> data, int threads) const override;
  void sample(std::int64_t n, const SampleConfig& config, Rng& rng, int threads, std::vector<Tokens>& out,
              const std::vector<Tokens>* prompts) const override;
  std::vector<float> next_logits(const Tokens& prefix, bool cached) const override;
  std::string save() const override;

 private:
  void beam_search(std::int64_t n, const SampleConfig& config, std::vector<Tokens>& out,
                   const std::vector<Tokens>* prompts) const;

  GptConfig config_;
  std::unique_ptr<Net> net_;
};

}  // namespace ouro::lm
