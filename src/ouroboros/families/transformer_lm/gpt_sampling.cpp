// Sampling from the network: ancestral sampling with a key-value cache (temperature, top-k, top-p, repetition
// penalty, prompts) and beam search (gpt.hpp).
#include <algorithm>
#include <numeric>

#include "ouroboros/families/transformer_lm/torch_net.hpp"

namespace ouro::lm {

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

}  // namespace ouro::lm
