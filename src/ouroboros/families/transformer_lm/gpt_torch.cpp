// The network with libtorch: the family's torch module (gpt.hpp), and the only file that includes torch (about 25 s
// and 1.3 GB to compile).
#include "ouroboros/families/transformer_lm/gpt.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <array>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <numeric>
#include <sstream>


namespace ouro::lm {

namespace {

at::Generator generator(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// Inverted dropout with a mask from `gen` (torch::dropout would draw from the global generator).
torch::Tensor drop(const torch::Tensor& x, double p, at::Generator* gen) {
  if (gen == nullptr || p <= 0) return x;
  // The generator is a CPU one (device = cuda too): the mask is drawn on the CPU and moved.
  const auto keep = torch::empty(x.sizes()).bernoulli_(1.0 - p, *gen).to(x.device());
  return x * keep / (1.0 - p);
}

// CTRL's repetition penalty on the tokens `seen` (rows, vocab) already in each sequence (gpt.hpp).
torch::Tensor penalise(const torch::Tensor& logits, const torch::Tensor& seen, double penalty) {
  return torch::where(seen, torch::where(logits > 0, logits / penalty, logits * penalty), logits);
}

constexpr double kInitStd = 0.02;
constexpr std::int64_t kIgnore = -100;

}  // namespace

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

namespace {

// A batch of sequences packed into rows of at most `context` positions. Sequence i is [BOS, t_1..t_L] predicting
// [t_1..t_L, EOS]; the sequences are placed longest first, each into the first row with room (first-fit
// decreasing), with positions restarting at 0 and attention blocked between different sequences of a row (and to
// later positions). Each sequence's computation is exactly the one it gets alone or in a padded batch, while the
// rows hold far less padding than one row per sequence padded to the longest (Brown's sentence lengths vary
// several-fold). Padding predicts nothing.
struct Batch {
  torch::Tensor input, target, positions, blocked;
  std::int64_t predicted = 0;
  Batch& to(torch::Device d) {
    input = input.to(d), target = target.to(d), positions = positions.to(d), blocked = blocked.to(d);
    return *this;
  }
};

Batch make_batch(std::span<const Tokens> data, std::span<const std::size_t> rows, const GptConfig& c) {
  std::vector<std::size_t> order(rows.begin(), rows.end());
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return data[a].size() > data[b].size(); });
  std::vector<std::vector<std::size_t>> bins;
  std::vector<std::int64_t> fill;
  for (const auto r : order) {
    const auto n = static_cast<std::int64_t>(data[r].size()) + 1;
    std::size_t bin = 0;
    while (bin < bins.size() && fill[bin] + n > c.context) ++bin;
    if (bin == bins.size()) {
      bins.emplace_back();
      fill.push_back(0);
    }
    bins[bin].push_back(r);
    fill[bin] += n;
  }
  const auto r_count = static_cast<std::int64_t>(bins.size());
  const std::int64_t t = *std::max_element(fill.begin(), fill.end());
  const auto cells = static_cast<std::size_t>(r_count * t);
  std::vector<std::int64_t> input(cells, c.eos), target(cells, kIgnore), positions(cells, 0), segment(cells, -1);
  Batch out;
  for (std::size_t b = 0; b < bins.size(); ++b) {
    std::size_t at = b * static_cast<std::size_t>(t);
    for (std::size_t k = 0; k < bins[b].size(); ++k) {
      const Tokens& s = data[bins[b][k]];
      for (std::size_t j = 0; j <= s.size(); ++j) {
        input[at + j] = j == 0 ? c.bos : s[j - 1];
        target[at + j] = j < s.size() ? s[j] : c.eos;
        positions[at + j] = static_cast<std::int64_t>(j);
        segment[at + j] = static_cast<std::int64_t>(k);
      }
      at += s.size() + 1;
      out.predicted += static_cast<std::int64_t>(s.size()) + 1;
    }
  }
  const auto tensor = [&](std::vector<std::int64_t>& v) {
    return torch::from_blob(v.data(), {r_count, t}, torch::kLong).clone();
  };
  out.input = tensor(input);
  out.target = tensor(target);
  out.positions = tensor(positions);
  const auto seg = tensor(segment);
  out.blocked = (seg.unsqueeze(2) != seg.unsqueeze(1)).logical_or(torch::ones({t, t}, torch::kBool).triu(1)).unsqueeze(1);
  return out;
}

void check_lengths(std::span<const Tokens> data, const GptConfig& c) {
  for (const auto& s : data)
    if (static_cast<std::int64_t>(s.size()) > c.context - 1)
      throw std::logic_error("transformer_lm: a sequence longer than context - 1 tokens reached the network");
}

}  // namespace

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

// GPT-2's initialisation (gpt.hpp).
void TorchGpt::init(std::uint64_t seed) {
  auto gen = generator(seed);
  torch::NoGradGuard no_grad;
  const double residual = kInitStd / std::sqrt(2.0 * static_cast<double>(config_.layers));
  for (auto& item : net_->named_parameters()) {
    const std::string& name = item.key();
    auto& p = item.value();
    if (p.dim() >= 2) {
      const bool projection = name.ends_with(".proj.weight") || name.ends_with(".out.weight");
      p.normal_(0.0, projection ? residual : kInitStd, gen);
    } else if (name.ends_with("bias") && name.find("ln") == std::string::npos) {
      p.zero_();
    }
  }
  net_->to(net_->device);
}

std::shared_ptr<Gpt> TorchGpt::clone() const {
  auto g = std::make_shared<TorchGpt>(config_);
  g->net_->to(g->net_->device);
  torch::NoGradGuard no_grad;
  auto dst = g->net_->parameters();
  auto src = net_->parameters();
  for (std::size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  return g;
}

std::int64_t TorchGpt::parameters() const {
  std::int64_t n = 0;
  for (const auto& p : net_->parameters()) n += p.numel();
  return n;
}

TrainReport TorchGpt::train(std::span<const Tokens> data, const TrainConfig& tc, Rng& rng, int threads,
                       const CancelToken& cancel, const std::function<void(double)>& progress) {
  check_lengths(data, config_);
  at::set_num_threads(threads);
  TrainReport report;
  if (data.empty()) return report;
  auto gen = generator(rng());
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& p : net_->parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  const auto options = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(tc.lr).betas({tc.beta1, tc.beta2}).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, options(tc.weight_decay));
  groups.emplace_back(no_decay, options(0.0));
  torch::optim::AdamW opt(std::move(groups), torch::optim::AdamWOptions(tc.lr));

  const auto n = data.size();
  const auto b = static_cast<std::size_t>(tc.batch);
  const std::int64_t per_epoch = static_cast<std::int64_t>((n + b - 1) / b);
  const std::int64_t total = tc.steps > 0 ? tc.steps : tc.epochs * per_epoch;
  std::vector<std::size_t> order(n);
  std::size_t at = n;  // position in the current epoch's order; n: reshuffle
  const std::int64_t tail = std::max<std::int64_t>(1, total / 10);
  double tail_loss = 0;
  net_->train();
  for (std::int64_t step = 0; step < total; ++step) {
    cancel.throw_if_requested();
    if (at >= n) {  // a new epoch: a uniform permutation (Fisher-Yates) from the fit's stream
      std::iota(order.begin(), order.end(), std::size_t{0});
      for (std::size_t i = n - 1; i > 0; --i)
        std::swap(order[i], order[boost::random::uniform_int_distribution<std::size_t>(0, i)(rng)]);
      at = 0;
    }
    const std::size_t take = std::min(b, n - at);
    auto batch = make_batch(data, std::span(order).subspan(at, take), config_);
    batch.to(net_->device);
    at += take;

    double lr = tc.lr;
    if (step < tc.warmup) {
      lr = tc.lr * static_cast<double>(step + 1) / static_cast<double>(tc.warmup);
    } else if (tc.schedule == Schedule::kCosine) {
      const double span = static_cast<double>(std::max<std::int64_t>(1, total - tc.warmup));
      lr = tc.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(step - tc.warmup) / span));
    }
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);

    opt.zero_grad();
    auto loss = net_->summed_loss(batch.input, batch.positions, batch.blocked, batch.target, &gen) /
                static_cast<double>(batch.predicted);
    loss.backward();
    if (tc.clip > 0) torch::nn::utils::clip_grad_norm_(net_->parameters(), tc.clip);
    opt.step();
    if (step >= total - tail) tail_loss += loss.item<double>();
    if (progress) progress(static_cast<double>(step + 1) / static_cast<double>(total));
  }
  net_->eval();
  report.steps = total;
  report.last_loss = total > 0 ? tail_loss / static_cast<double>(std::min(tail, total)) : 0.0;
  return report;
}

Loss TorchGpt::loss(std::span<const Tokens> data, int threads) const {
  check_lengths(data, config_);
  at::set_num_threads(threads);
  torch::NoGradGuard no_grad;
  net_->eval();
  Loss out;
  constexpr std::size_t kBatch = 64;
  std::vector<std::size_t> rows;
  for (std::size_t start = 0; start < data.size(); start += kBatch) {
    rows.resize(std::min(kBatch, data.size() - start));
    std::iota(rows.begin(), rows.end(), start);
    auto batch = make_batch(data, rows, config_);
    batch.to(net_->device);
    out.nats += net_->summed_loss(batch.input, batch.positions, batch.blocked, batch.target, nullptr).item<double>();
    out.tokens += batch.predicted;
  }
  return out;
}

void TorchGpt::sample(std::int64_t n, const SampleConfig& sc, Rng& rng, int threads, std::vector<Tokens>& out,
                      const std::vector<Tokens>* prompts) const {
  if (prompts != nullptr && static_cast<std::int64_t>(prompts->size()) != n)
    throw std::logic_error("transformer_lm: sample() needs one prompt per sequence");
  at::set_num_threads(threads);
  torch::NoGradGuard no_grad;
  net_->eval();
  if (sc.beams > 1) {
    beam_search(n, sc, out, prompts);
    return;
  }
  auto gen = generator(rng());
  const auto& c = config_;
  const bool penalised = sc.repetition_penalty != 1.0;
  std::vector<torch::Tensor> keys, values;
  for (std::int64_t start = 0; start < n; start += sc.batch) {
    const std::int64_t b = std::min(sc.batch, n - start);
    net_->caches(b, keys, values);
    torch::Tensor seen = penalised ? torch::zeros({b, c.vocab}, net_->bools()) : torch::Tensor();
    std::vector<Tokens> seqs(static_cast<std::size_t>(b));
    // row[i]: the sequence that row i of the batch tensors extends. Finished rows are dropped from the tensors
    // (and their caches) once a quarter of the rows are finished, so the work follows the open sequences.
    std::vector<std::int64_t> row(static_cast<std::size_t>(b));
    std::iota(row.begin(), row.end(), std::int64_t{0});
    auto token = torch::full({b, 1}, c.bos, torch::kLong);
    for (std::int64_t t = 0; t + 1 < c.context && !row.empty(); ++t) {
      auto logits = net_->step(token, t, keys, values);  // (rows, vocab)
      if (penalised) logits = penalise(logits, seen, sc.repetition_penalty);
      if (sc.temperature != 1.0) logits = logits / sc.temperature;
      if (sc.top_k > 0 && sc.top_k < c.vocab) {
        const auto kth = std::get<0>(logits.topk(sc.top_k, -1)).select(-1, sc.top_k - 1).unsqueeze(-1);
        logits = logits.masked_fill(logits < kth, -std::numeric_limits<float>::infinity());
      }
      auto probs = torch::softmax(logits, -1);
      if (sc.top_p < 1.0) {  // the smallest set of most likely tokens whose mass reaches top_p
        auto [sorted, index] = probs.sort(-1, /*descending=*/true);
        sorted.masked_fill_(sorted.cumsum(-1) - sorted > sc.top_p, 0.0);
        probs = torch::zeros_like(probs).scatter(-1, index, sorted);
      }
      token = torch::multinomial(probs.to(torch::kCPU), 1, /*replacement=*/false, gen);  // a CPU generator
      auto* next = token.data_ptr<std::int64_t>();
      if (prompts != nullptr) {  // a row still inside its prompt takes the prompt's token instead of the draw
        for (std::size_t i = 0; i < row.size(); ++i) {
          if (row[i] < 0) continue;
          const Tokens& p = (*prompts)[static_cast<std::size_t>(start + row[i])];
          if (t < static_cast<std::int64_t>(p.size())) next[i] = p[static_cast<std::size_t>(t)];
        }
      }
      if (penalised) seen.scatter_(1, token.to(net_->device), true);
      std::vector<std::int64_t> keep;
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (row[i] < 0) continue;
        if (next[i] == c.eos) {
          row[i] = -1;
        } else {
          seqs[static_cast<std::size_t>(row[i])].push_back(static_cast<std::int32_t>(next[i]));
          keep.push_back(static_cast<std::int64_t>(i));
        }
      }
      if (keep.empty()) break;
      if (4 * keep.size() <= 3 * row.size()) {
        const auto index = torch::tensor(keep, torch::kLong);
        const auto on_device = index.to(net_->device);
        for (auto& k : keys) k = k.index_select(0, on_device);
        for (auto& v : values) v = v.index_select(0, on_device);
        if (penalised) seen = seen.index_select(0, on_device);
        token = token.index_select(0, index);
        std::vector<std::int64_t> kept_rows;
        for (const auto i : keep) kept_rows.push_back(row[static_cast<std::size_t>(i)]);
        row = std::move(kept_rows);
      }
    }
    for (auto& s : seqs) out.push_back(std::move(s));
  }
}

// Beam search (gpt.hpp): one search per sequence, a group of `beams` rows in the batch tensors, group-major.
void TorchGpt::beam_search(std::int64_t n, const SampleConfig& sc, std::vector<Tokens>& out,
                           const std::vector<Tokens>* prompts) const {
  struct Hypothesis {
    double score;  // mean log-probability per generated token
    Tokens tokens;
  };
  const auto& c = config_;
  const std::int64_t beams = sc.beams;
  const bool penalised = sc.repetition_penalty != 1.0;
  const std::int64_t per_batch = std::max<std::int64_t>(1, sc.batch / beams);
  const auto width = static_cast<std::size_t>(beams);
  std::vector<torch::Tensor> keys, values;
  for (std::int64_t start = 0; start < n; start += per_batch) {
    const std::int64_t groups = std::min(per_batch, n - start);
    const std::int64_t rows = groups * beams;
    net_->caches(rows, keys, values);
    const auto prompt = [&](std::int64_t g) -> const Tokens& {
      static const Tokens kNone;
      return prompts != nullptr ? (*prompts)[static_cast<std::size_t>(start + g)] : kNone;
    };
    std::vector<Tokens> result(static_cast<std::size_t>(groups));
    std::vector<std::vector<Hypothesis>> finished(static_cast<std::size_t>(groups));  // the best `beams`, best first
    const auto finish = [&](std::int64_t g, Hypothesis h) {
      auto& f = finished[static_cast<std::size_t>(g)];
      f.insert(std::upper_bound(f.begin(), f.end(), h.score, [](double s, const Hypothesis& x) { return s > x.score; }),
               std::move(h));
      if (f.size() > width) f.pop_back();
    };
    std::vector<std::int64_t> live(static_cast<std::size_t>(groups));  // searching groups, in row order
    std::iota(live.begin(), live.end(), std::int64_t{0});
    std::vector<Tokens> seq(static_cast<std::size_t>(rows));  // each row's sequence so far (its prompt included)
    std::vector<double> score(static_cast<std::size_t>(rows), -std::numeric_limits<double>::infinity());
    for (std::int64_t g = 0; g < groups; ++g) score[static_cast<std::size_t>(g * beams)] = 0;  // one beam opens
    torch::Tensor seen = penalised ? torch::zeros({rows, c.vocab}, net_->bools()) : torch::Tensor();
    auto token = torch::full({rows, 1}, c.bos, torch::kLong);
    for (std::int64_t t = 0; t + 1 < c.context && !live.empty(); ++t) {
      auto logits = net_->step(token, t, keys, values);  // (rows, vocab)
      if (penalised) logits = penalise(logits, seen, sc.repetition_penalty);
      const auto open = static_cast<std::int64_t>(live.size());
      const auto total = torch::log_softmax(logits, -1).to(torch::kCPU).to(torch::kDouble) +
                         torch::from_blob(score.data(), {open * beams, 1}, torch::kDouble);
      const auto [best, index] = total.view({open, beams * c.vocab}).topk(std::min(2 * beams, beams * c.vocab), -1);
      const auto best_at = best.accessor<double, 2>();
      const auto index_at = index.accessor<std::int64_t, 2>();
      const bool last = t + 2 >= c.context;  // the tokens chosen now fill the context
      std::vector<std::int64_t> source, next, still;
      std::vector<Tokens> next_seq;
      std::vector<double> next_score;
      for (std::int64_t gi = 0; gi < open; ++gi) {
        const std::int64_t g = live[static_cast<std::size_t>(gi)];
        const Tokens& p = prompt(g);
        const auto base = static_cast<std::size_t>(gi * beams);
        const std::size_t mark = source.size();
        const auto extend = [&](std::size_t from, std::int64_t tok, double s) {
          source.push_back(static_cast<std::int64_t>(from));
          next.push_back(tok);
          next_seq.push_back(seq[from]);
          next_seq.back().push_back(static_cast<std::int32_t>(tok));
          next_score.push_back(s);
        };
        if (t < static_cast<std::int64_t>(p.size())) {  // inside the prompt: every beam takes its token
          for (std::size_t j = 0; j < width; ++j) extend(base + j, p[static_cast<std::size_t>(t)], score[base + j]);
          if (last) {
            result[static_cast<std::size_t>(g)] = next_seq.back();
            source.resize(mark), next.resize(mark), next_seq.resize(mark), next_score.resize(mark);
          } else {
            still.push_back(g);
          }
          continue;
        }
        // Generated tokens after this step (the new token or the EOS), the same for every beam of the group.
        const auto generated = static_cast<double>(seq[base].size() - p.size() + 1);
        std::int64_t kept = 0;
        for (std::int64_t r = 0; r < best.size(1) && kept < beams; ++r) {
          const double s = best_at[gi][r];
          if (!std::isfinite(s)) break;  // the closed beams of the first step
          const auto from = base + static_cast<std::size_t>(index_at[gi][r] / c.vocab);
          const std::int64_t tok = index_at[gi][r] % c.vocab;
          if (tok == c.eos) {
            if (r < beams) finish(g, {s / generated, seq[from]});
            continue;
          }
          extend(from, tok, s);
          ++kept;
        }
        const auto& f = finished[static_cast<std::size_t>(g)];
        bool done = last || kept == 0;
        if (last) {
          for (std::size_t k = mark; k < source.size(); ++k) finish(g, {next_score[k] / generated, next_seq[k]});
        } else if (f.size() >= width) {
          const double best_open = *std::max_element(next_score.begin() + static_cast<std::ptrdiff_t>(mark), next_score.end());
          done = best_open / generated <= f.back().score;
        }
        if (done) {
          result[static_cast<std::size_t>(g)] = f.empty() ? seq[base] : f.front().tokens;
          source.resize(mark), next.resize(mark), next_seq.resize(mark), next_score.resize(mark);
          continue;
        }
        for (; kept < beams; ++kept) extend(base, c.eos, -std::numeric_limits<double>::infinity());  // closed rows
        still.push_back(g);
      }
      live = std::move(still);
      if (live.empty()) break;
      const auto rows_index = torch::tensor(source, torch::kLong).to(net_->device);
      for (auto& k : keys) k = k.index_select(0, rows_index);
      for (auto& v : values) v = v.index_select(0, rows_index);
      token = torch::tensor(next, torch::kLong).view({-1, 1});
      if (penalised) seen = seen.index_select(0, rows_index).scatter_(1, token.to(net_->device), true);
      seq = std::move(next_seq);
      score = std::move(next_score);
    }
    for (auto& r : result) out.push_back(std::move(r));
  }
}

std::vector<float> TorchGpt::next_logits(const Tokens& prefix, bool cached) const {
  torch::NoGradGuard no_grad;
  net_->eval();
  std::vector<std::int64_t> ids{config_.bos};
  ids.insert(ids.end(), prefix.begin(), prefix.end());
  const auto t = static_cast<std::int64_t>(ids.size());
  if (t > config_.context) throw std::logic_error("next_logits: the prefix does not fit the context");
  torch::Tensor logits;
  if (!cached) {
    logits = net_->forward(torch::from_blob(ids.data(), {1, t}, torch::kLong))[0][t - 1];
  } else {
    std::vector<torch::Tensor> keys, values;
    net_->caches(1, keys, values);
    for (std::int64_t i = 0; i < t; ++i)
      logits = net_->step(torch::full({1, 1}, ids[static_cast<std::size_t>(i)], torch::kLong), i, keys, values)[0];
  }
  logits = logits.to(torch::kCPU).contiguous();
  return {logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel()};
}

std::string TorchGpt::save() const {
  std::string bytes(kGptMagic, sizeof kGptMagic);
  const std::int64_t header[] = {config_.vocab, config_.layers, config_.d_model, config_.heads, config_.context,
                                 config_.bos, config_.eos, config_.cuda ? 1 : 0};
  bytes.append(reinterpret_cast<const char*>(header), sizeof header);
  bytes.append(reinterpret_cast<const char*>(&config_.dropout), sizeof config_.dropout);
  torch::serialize::OutputArchive archive;
  net_->save(archive);
  std::ostringstream s;
  archive.save_to(s);
  return bytes + s.str();
}

TorchGpt* TorchGpt::from_bytes(const std::string& bytes) {
  constexpr std::size_t kHeader = kGptHeaderBytes;
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), kGptMagic, sizeof kGptMagic) != 0)
    throw std::invalid_argument("transformer_lm: a checkpoint's model is not a saved transformer");
  std::int64_t h[8];
  std::memcpy(h, bytes.data() + sizeof kGptMagic, sizeof h);
  GptConfig c;
  c.vocab = h[0], c.layers = h[1], c.d_model = h[2], c.heads = h[3], c.context = h[4];
  c.bos = static_cast<std::int32_t>(h[5]), c.eos = static_cast<std::int32_t>(h[6]), c.cuda = h[7] != 0;
  std::memcpy(&c.dropout, bytes.data() + sizeof kGptMagic + sizeof h, sizeof c.dropout);
  auto* g = new TorchGpt(c);
  torch::serialize::InputArchive archive;
  std::istringstream s(bytes.substr(kHeader));
  archive.load_from(s, torch::Device(torch::kCPU));
  g->net_->load(archive);
  g->net_->to(g->net_->device);
  return g;
}

}  // namespace ouro::lm

extern "C" ouro::lm::Gpt* ouroboros_gpt_create(const ouro::lm::GptConfig& config,
                                                   std::uint64_t seed) {
  auto* g = new ouro::lm::TorchGpt(config);
  g->init(seed);
  return g;
}

extern "C" bool ouroboros_torch_cuda() { return torch::cuda::is_available(); }

extern "C" ouro::lm::Gpt* ouroboros_gpt_load(const std::string& bytes) {
  return ouro::lm::TorchGpt::from_bytes(bytes);
}
