#include "ouroboros/families/ngram/ngram_model.hpp"

#include <algorithm>
#include <cmath>

namespace ouro {

namespace {

constexpr std::uint64_t pack(std::uint32_t node, std::uint32_t token) {
  return (static_cast<std::uint64_t>(node) << 32) | token;
}

// Chen & Goodman's modified discounts from the count-of-counts n[1..4] of one order.
void modified_discounts(const std::int64_t* n, double* d) {
  const double n1 = static_cast<double>(n[1]), n2 = static_cast<double>(n[2]), n3 = static_cast<double>(n[3]),
               n4 = static_cast<double>(n[4]);
  const double y = n1 + 2 * n2 > 0 ? n1 / (n1 + 2 * n2) : 0;
  const double raw[3] = {n1 > 0 ? 1 - 2 * y * n2 / n1 : NAN, n2 > 0 ? 2 - 3 * y * n3 / n2 : NAN,
                         n3 > 0 ? 3 - 4 * y * n4 / n3 : NAN};
  for (int i = 0; i < 3; ++i) {
    const double cap = i + 1.0;
    d[i] = std::isnan(raw[i]) || n1 + 2 * n2 == 0 ? cap / 2 : std::clamp(raw[i], 0.0, cap);
  }
}

}  // namespace

void NgramModel::fit(const NgramConfig& config, std::span<const text::Sentence> sentences) {
  cfg_ = config;
  const int top = cfg_.order - 1;
  children_.clear();
  parent_.assign(1, 0);
  depth_.assign(1, 0);
  bos_ctx_.assign(1, 0);
  token_count_.assign(static_cast<std::size_t>(cfg_.vocab) + 1, 0);
  words_ = 0;
  sentences_ = static_cast<std::int64_t>(sentences.size());
  keys_.clear();
  for (const auto& s : sentences) {
    const auto len = static_cast<std::int64_t>(s.size());
    words_ += len;
    for (std::int64_t i = 1; i <= len + 1; ++i) {
      const std::uint32_t w = i <= len ? s[static_cast<std::size_t>(i - 1)] : eos();
      ++token_count_[w];
      std::uint32_t node = 0;
      keys_.push_back(pack(0, w));
      const auto reach = static_cast<int>(std::min<std::int64_t>(top, i));
      for (int d = 1; d <= reach; ++d) {
        const std::uint32_t tok = i - d == 0 ? bos() : s[static_cast<std::size_t>(i - d - 1)];
        const auto fresh = static_cast<std::uint32_t>(parent_.size());
        const std::uint32_t child = children_.find_or_insert(pack(node, tok), fresh);
        if (child == fresh) {
          parent_.push_back(node);
          depth_.push_back(static_cast<std::uint8_t>(d));
          bos_ctx_.push_back(tok == bos());
        }
        node = child;
        keys_.push_back(pack(node, w));
      }
    }
  }
  build_tables(keys_);
}

void NgramModel::build_tables(std::vector<std::uint64_t>& keys) {
  const int top = cfg_.order - 1;
  const bool kn = cfg_.smoothing == Smoothing::kKneserNey;
  std::sort(keys.begin(), keys.end());
  const std::size_t nodes = parent_.size();
  begin_.assign(nodes + 1, 0);
  token_.clear();
  count_.clear();
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i + 1;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    ++begin_[(keys[i] >> 32) + 1];
    token_.push_back(static_cast<std::uint32_t>(keys[i]));
    count_.push_back(static_cast<std::uint32_t>(j - i));
    i = j;
  }
  for (std::size_t n = 0; n < nodes; ++n) begin_[n + 1] += begin_[n];

  // Kneser-Ney: a lower-order context not starting with <s> counts distinct left extensions instead.
  const auto continuation = [&](std::uint32_t n) { return kn && depth_[n] < top && !bos_ctx_[n]; };
  if (kn) {
    std::vector<std::uint32_t> cont(count_.size(), 0);
    for (std::uint32_t g = 1; g < nodes; ++g) {
      const std::uint32_t h = parent_[g];
      if (!continuation(h)) continue;
      for (std::uint32_t e = begin_[g]; e < begin_[g + 1]; ++e) ++cont[find(h, token_[e])];
    }
    for (std::uint32_t n = 0; n < nodes; ++n)
      if (continuation(n))
        for (std::uint32_t e = begin_[n]; e < begin_[n + 1]; ++e) count_[e] = cont[e];
  }

  std::int64_t count_of_counts[kMaxOrder][5] = {};
  distinct_top_ = 0;
  for (std::uint32_t n = 0; n < nodes; ++n) {
    if (depth_[n] == top || bos_ctx_[n]) distinct_top_ += begin_[n + 1] - begin_[n];
    for (std::uint32_t e = begin_[n]; e < begin_[n + 1]; ++e)
      if (count_[e] <= 4) ++count_of_counts[depth_[n]][count_[e]];
  }
  for (int d = 0; d <= top; ++d) modified_discounts(count_of_counts[d], discount_[d]);

  total_.assign(nodes, 0.0);
  cum_.resize(count_.size());
  const bool tempered = cfg_.smoothing != Smoothing::kMle && cfg_.temperature != 1.0;
  peak_.assign(tempered ? nodes : 0, 0.0);
  const double inv_t = 1.0 / cfg_.temperature;
  const double vk = cfg_.k * (static_cast<double>(cfg_.vocab) + 1.0);
  for (std::uint32_t n = 0; n < nodes; ++n) {
    double acc = 0, total = 0, top_count = 0;
    const double* d = discount_[depth_[n]];
    for (std::uint32_t e = begin_[n]; e < begin_[n + 1]; ++e) {
      const double a = count_[e];
      total += a;
      top_count = std::max(top_count, a);
      switch (cfg_.smoothing) {
        case Smoothing::kMle: acc += inv_t == 1.0 ? a : std::pow(a, inv_t); break;
        case Smoothing::kAddK: acc += a; break;
        case Smoothing::kKneserNey: acc += a - d[std::min<std::uint32_t>(count_[e], 3) - 1]; break;
      }
      cum_[e] = acc;
    }
    total_[n] = total;
    // add_k: M(h) = (max_w c(h w) + k) / (c(h .) + k (V + 1)) is max_w P(w | h) itself.
    if (tempered && cfg_.smoothing == Smoothing::kAddK) peak_[n] = (top_count + cfg_.k) / (total + vk);
  }
  if (!tempered || cfg_.smoothing != Smoothing::kKneserNey) return;
  // Kneser-Ney: M(h) = max(max over the successors w of h of P(w | h), gamma(h) M(h')), M below the empty context
  // being the uniform 1 / (V + 1). A word never seen after h has P(w | h) = gamma(h) P(w | h') <= gamma(h) M(h'),
  // so M(h) >= max_w P(w | h). A node's parent is h' and has a smaller index, so one ascending pass suffices.
  std::uint32_t chain[kMaxOrder];
  for (std::uint32_t n = 0; n < nodes; ++n) {
    const int depth = depth_[n];
    chain[depth] = n;
    for (int d = depth; d > 0; --d) chain[d - 1] = parent_[chain[d]];
    const double gamma = (total_[n] - cum_[begin_[n + 1] - 1]) / total_[n];
    double m = gamma * (n == 0 ? 1.0 / (static_cast<double>(cfg_.vocab) + 1.0) : peak_[parent_[n]]);
    for (std::uint32_t e = begin_[n]; e < begin_[n + 1]; ++e) m = std::max(m, smoothed(chain, depth, depth, token_[e]));
    peak_[n] = m;
  }
}

double NgramModel::discount(int order, int count) const { return discount_[order - 1][std::min(count, 3) - 1]; }

std::uint32_t NgramModel::find(std::uint32_t node, std::uint32_t token) const {
  const auto first = token_.begin() + begin_[node], last = token_.begin() + begin_[node + 1];
  const auto it = std::lower_bound(first, last, token);
  return it != last && *it == token ? static_cast<std::uint32_t>(it - token_.begin()) : FlatMap64::kMissing;
}

int NgramModel::walk(std::span<const std::uint32_t> prefix, std::uint32_t* chain, int& available) const {
  const auto len = static_cast<std::int64_t>(prefix.size());
  available = static_cast<int>(std::min<std::int64_t>(cfg_.order - 1, len + 1));
  chain[0] = 0;
  int depth = 0;
  for (int d = 1; d <= available; ++d) {
    const std::int64_t pos = len - d;  // index in prefix of the token d places back; -1 is <s>
    const std::uint32_t tok = pos < 0 ? bos() : prefix[static_cast<std::size_t>(pos)];
    const std::uint32_t child = children_.find(pack(chain[d - 1], tok));
    if (child == FlatMap64::kMissing) break;
    chain[d] = child;
    depth = d;
  }
  return depth;
}

double NgramModel::probability(std::span<const std::uint32_t> prefix, std::uint32_t token) const {
  std::uint32_t chain[kMaxOrder];
  int available = 0;
  const int depth = walk(prefix, chain, available);
  return smoothed(chain, depth, available, token);
}

double NgramModel::smoothed(const std::uint32_t* chain, int depth, int available, std::uint32_t token) const {
  const double uniform = 1.0 / (static_cast<double>(cfg_.vocab) + 1.0);
  const auto count_at = [&](std::uint32_t node) {
    const std::uint32_t e = find(node, token);
    return e == FlatMap64::kMissing ? 0.0 : static_cast<double>(count_[e]);
  };
  switch (cfg_.smoothing) {
    case Smoothing::kMle: return count_at(chain[depth]) / total_[chain[depth]];
    case Smoothing::kAddK: {
      if (depth < available) return uniform;
      const double vk = cfg_.k * (static_cast<double>(cfg_.vocab) + 1.0);
      return (count_at(chain[depth]) + cfg_.k) / (total_[chain[depth]] + vk);
    }
    case Smoothing::kKneserNey: {
      double p = uniform;
      for (int d = 0; d <= depth; ++d) {
        const std::uint32_t h = chain[d];
        const double a = count_at(h);
        const double discounted = a > 0 ? a - discount_[d][static_cast<int>(std::min(a, 3.0)) - 1] : 0.0;
        const double gamma = (total_[h] - cum_[begin_[h + 1] - 1]) / total_[h];
        p = discounted / total_[h] + gamma * p;
      }
      return p;
    }
  }
  return 0;
}

double NgramModel::bound(const std::uint32_t* chain, int depth, int available) const {
  if (cfg_.smoothing == Smoothing::kAddK && depth < available) return 1.0 / (static_cast<double>(cfg_.vocab) + 1.0);
  return peak_[chain[depth]];
}

std::uint32_t NgramModel::draw_in(std::uint32_t node, double u) const {
  const auto first = cum_.begin() + begin_[node], last = cum_.begin() + begin_[node + 1];
  const auto it = std::min(std::upper_bound(first, last, u), last - 1);
  return token_[static_cast<std::size_t>(it - cum_.begin())];
}

std::uint32_t NgramModel::uniform_token(Rng& rng) const {
  const auto t = static_cast<std::uint32_t>(rng.uniform() * (static_cast<double>(cfg_.vocab) + 1.0));
  return std::min(t, cfg_.vocab);
}

std::uint32_t NgramModel::propose(Rng& rng, const std::uint32_t* chain, int depth, int available) const {
  switch (cfg_.smoothing) {
    case Smoothing::kMle: {
      const std::uint32_t h = chain[depth];
      return draw_in(h, rng.uniform() * cum_[begin_[h + 1] - 1]);
    }
    case Smoothing::kAddK: {
      if (depth < available) return uniform_token(rng);
      const std::uint32_t h = chain[depth];
      const double u = rng.uniform() * (total_[h] + cfg_.k * (static_cast<double>(cfg_.vocab) + 1.0));
      return u < total_[h] ? draw_in(h, u) : uniform_token(rng);
    }
    case Smoothing::kKneserNey: {
      for (; depth >= 0; --depth) {
        const std::uint32_t h = chain[depth];
        const double u = rng.uniform() * total_[h];
        if (u < cum_[begin_[h + 1] - 1]) return draw_in(h, u);
      }
      return uniform_token(rng);
    }
  }
  return 0;
}

// Tempering a smoothed model (add_k, kneser_ney) at T < 1, by rejection: propose w ~ P(. | h) and accept it with
// probability (P(w | h) / M)^(1/T - 1), where M = bound() >= max_w P(w | h). One round accepts w with probability
// P(w) (P(w) / M)^(1/T - 1) = P(w)^(1/T) / M^(1/T - 1), proportional to P(w)^(1/T), so the accepted token follows
// P_T exactly; the mean number of proposals is M^(1/T - 1) / sum_w P(w)^(1/T). T = 1 runs no test (the random
// numbers are consumed exactly as by the untempered sampler), and a ratio of 1 (a uniform context) accepts
// without drawing.
std::int64_t NgramModel::sample_sentence(Rng& rng, std::int64_t max_length, text::Sentence& out) const {
  const std::size_t start = out.size();
  const bool reject = cfg_.smoothing != Smoothing::kMle && cfg_.temperature != 1.0;
  const double exponent = 1.0 / cfg_.temperature - 1.0;
  std::uint32_t chain[kMaxOrder];
  int available = 0;
  std::int64_t proposals = 0;
  while (static_cast<std::int64_t>(out.size() - start) < max_length) {
    const int depth = walk(std::span(out).subspan(start), chain, available);
    const double m = reject ? bound(chain, depth, available) : 0.0;
    std::uint32_t w = 0;
    for (;;) {
      w = propose(rng, chain, depth, available);
      ++proposals;
      if (!reject) break;
      const double ratio = std::pow(smoothed(chain, depth, available, w) / m, exponent);
      if (ratio >= 1.0 || rng.uniform() < ratio) break;
    }
    if (w == eos()) break;
    out.push_back(w);
  }
  return proposals;
}

}  // namespace ouro
