#pragma once
// A decoder-only transformer language model (GPT-style), trained and sampled with libtorch. This header names no
// torch type: the network lives behind a pointer, in the torch module (torch_net.hpp, gpt_torch.cpp,
// gpt_sampling.cpp).
//
// Architecture  token embedding + learned position embedding; `layers` pre-LayerNorm blocks, each
//               x += proj(attention(LN(x))) with causal multi-head attention, x += W2 GELU(W1 LN(x)) with a 4 d
//               hidden layer; a final LayerNorm; the output head is the token embedding transposed (tied).
//               Dropout (rate `dropout`) after the attention weights, after each residual branch and on the
//               embeddings, drawn from the fit's generator.
// Initialisation GPT-2's: every weight matrix and embedding N(0, 0.02^2), the two residual projections of each
//               block N(0, (0.02 / sqrt(2 layers))^2), biases 0, LayerNorm gains 1. (PyTorch's default N(0, 1)
//               embedding with a tied head leaves a small model at chance.)
// Sequences     one training sequence is [BOS, t_1..t_L] predicting [t_1..t_L, EOS], L <= context - 1; a batch is
//               padded to its longest sequence and the padding is not predicted.
// Optimiser     AdamW (decoupled weight decay on weight matrices and embeddings only, not on biases and
//               LayerNorm), learning rate warm-up over `warmup` steps (linear from lr / warmup) then constant or a
//               cosine decay to 0 at the last step; the gradient's global norm clipped to `clip` (0: no clipping).
// Randomness    every random draw (initialisation, batch order, dropout, sampling) comes from a torch generator
//               seeded from the caller's Rng, so a fit or a sampling run is reproducible exactly for a given
//               thread setting.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/engine/fit_context.hpp"

namespace ouro::lm {

using Tokens = std::vector<std::int32_t>;

struct GptConfig {
  std::int64_t vocab = 4096;  // token ids 0..vocab-1, BOS and EOS among them
  std::int64_t layers = 2;
  std::int64_t d_model = 128;
  std::int64_t heads = 4;
  std::int64_t context = 64;  // positions, BOS included
  double dropout = 0.0;
  std::int32_t bos = 1, eos = 2;
  bool cuda = false;  // run on the CUDA device (a CUDA build of libtorch); random draws stay on the CPU generator
};

enum class Schedule { kConstant, kCosine };

struct TrainConfig {
  double lr = 3e-3;
  double beta1 = 0.9, beta2 = 0.95;
  double weight_decay = 0.1;
  double clip = 1.0;
  std::int64_t batch = 32;
  std::int64_t epochs = 4;  // passes over the training set, used when steps == 0
  std::int64_t steps = 0;   // a fixed number of optimiser steps (batches drawn from reshuffled epochs)
  std::int64_t warmup = 30;
  Schedule schedule = Schedule::kCosine;
};

struct SampleConfig {
  double temperature = 1.0;
  std::int64_t top_k = 0;  // 0: off
  double top_p = 1.0;      // 1: off
  // CTRL's repetition penalty (Keskar et al. 2019), as Hugging Face applies it: the logit of a token already in the
  // sequence (its prompt included, BOS not) is divided by the penalty when positive, multiplied when not. 1: off.
  double repetition_penalty = 1.0;
  // 1: ancestral sampling. b > 1: beam search with b beams per sequence, deterministic (temperature, top_k and
  // top_p unused): each step keeps the b best non-finished extensions among the 2b best of all beams' next tokens
  // by summed log-probability; a hypothesis ends at an EOS among the top b, or at the context; the output is the
  // finished hypothesis with the highest mean log-probability per generated token (EOS counted; Hugging Face's
  // length_penalty = 1). A sequence's search stops once it has b finished hypotheses and its best open beam's mean
  // is no better than the worst of them (Hugging Face's early_stopping = False).
  std::int64_t beams = 1;
  std::int64_t batch = 256;  // sequences (rows) at once; with beams, batch / beams sequences of `beams` rows
};

// The held-out loss of a model: summed negative log-likelihood in nats over the predicted tokens (EOS included).
struct Loss {
  double nats = 0;
  std::int64_t tokens = 0;
};

// What a fit reports besides the model.
struct TrainReport {
  std::int64_t steps = 0;
  double last_loss = 0;  // mean training loss (nats/token) of the last 10% of the steps
};

// The network. The implementation (torch_net.hpp) is a module of its own, loaded at the first create() or load():
// libtorch takes about 0.6 s to load and initialise, which every program start would pay if it were linked in.
class Gpt {
 public:
  virtual ~Gpt() = default;

  // A freshly initialised network; its weights drawn from `rng`.
  static std::shared_ptr<Gpt> create(const GptConfig& config, Rng& rng);
  // The configuration and weights saved by save(); a UserError for bytes that are not a saved network.
  static std::shared_ptr<Gpt> load(const std::string& bytes);
  // Whether the libtorch in use has a CUDA device.
  static bool cuda_available();

  // A copy with the same weights (a warm start).
  virtual std::shared_ptr<Gpt> clone() const = 0;
  virtual const GptConfig& config() const = 0;
  virtual std::int64_t parameters() const = 0;

  // Trains on `data` (token sequences without BOS/EOS, each at most context - 1 tokens). `threads`: intra-op
  // threads for this call. Polls `cancel` between steps; reports the fraction done to `progress`.
  virtual TrainReport train(std::span<const Tokens> data, const TrainConfig& config, Rng& rng, int threads,
                            const CancelToken& cancel, const std::function<void(double)>& progress) = 0;
  // The summed negative log-likelihood of `data` (dropout off).
  virtual Loss loss(std::span<const Tokens> data, int threads) const = 0;
  // n sequences from BOS with a key-value cache, by ancestral sampling or beam search (config.beams), each ended by
  // EOS (not included) or cut at context - 1 tokens. Appends to `out`. With `prompts` (n of them, each at most
  // context - 1 tokens), sequence i starts with prompts[i] fed as given and continues by sampling or search; the
  // prompt is part of the sequence. Beam search draws nothing from `rng`.
  virtual void sample(std::int64_t n, const SampleConfig& config, Rng& rng, int threads, std::vector<Tokens>& out,
                      const std::vector<Tokens>* prompts = nullptr) const = 0;
  // The next-token logits after [BOS, prefix...]: by a full forward pass, or step by step through the key-value
  // cache as sample() computes them (tests compare the two).
  virtual std::vector<float> next_logits(const Tokens& prefix, bool cached) const = 0;
  // The configuration and weights as bytes (a checkpoint).
  virtual std::string save() const = 0;
};

// save()'s bytes: the magic, the configuration's eight integers (the last: cuda) and its dropout rate, then torch's archive.
inline constexpr char kGptMagic[8] = {'O', 'U', 'R', 'O', 'G', 'P', 'T', '1'};
inline constexpr std::size_t kGptHeaderBytes = sizeof kGptMagic + 8 * sizeof(std::int64_t) + sizeof(double);

// The module's entry points (dlsym names): a new network from a seed, or from save()'s bytes.
extern "C" {
using GptCreateFn = Gpt* (*)(const GptConfig& config, std::uint64_t seed);
using GptLoadFn = Gpt* (*)(const std::string& bytes);
using CudaAvailableFn = bool (*)();
}

}  // namespace ouro::lm
