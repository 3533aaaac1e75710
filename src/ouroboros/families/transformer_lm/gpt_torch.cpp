// The network with libtorch, the family's torch module (gpt.hpp): initialisation, training, the loss, logits,
// checkpoints and the module's entry points. Sampling is in gpt_sampling.cpp; the network in torch_net.hpp.
#include "ouroboros/families/transformer_lm/torch_net.hpp"

#include <boost/random/uniform_int_distribution.hpp>
#include <cstring>
#include <numbers>
#include <numeric>
#include <sstream>

namespace ouro::lm {

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
