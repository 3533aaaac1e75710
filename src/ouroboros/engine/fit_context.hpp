#pragma once
// Family contract v2: what a fit may be given besides its training data. A family opts in by providing
//   fit_samples(xs, const FitContext<Model>&, out)   and/or   fit_stats(stats, const FitContext<Model>&, out)
// instead of (or beside) the context-free fits; the chains call the context version when it exists.
//   rng       the fit's own random stream, Stream::kFit of (seed, replicate, generation): initialisation,
//             minibatches, dropout. Addressed like every other stream, so a fit is reproducible alone.
//   previous  the model that generated this generation's synthetic data (generation 1: the truth, model 0), for
//             warm starts (init = previous).
//   cancel    polled by long fits; a fit that sees it set throws RunCancelled, and the run stops cleanly.
//   progress  optional: the fraction of the fit done, for long fits (may be called from worker threads).
#include <cstdint>
#include <functional>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

// A thread-safe stop request: the front end's poll (a signal flag), or never.
class CancelToken {
 public:
  CancelToken() = default;
  explicit CancelToken(std::function<bool()> poll) : poll_(std::move(poll)) {}
  bool requested() const { return poll_ && poll_(); }
  void throw_if_requested() const {
    if (requested()) throw RunCancelled();
  }

 private:
  std::function<bool()> poll_;
};

using FitProgress = std::function<void(double fraction)>;

template <class Model>
struct FitContext {
  Rng& rng;
  const Model& previous;
  std::int64_t generation;
  std::uint64_t replicate;
  const CancelToken& cancel;
  const FitProgress* progress = nullptr;  // null: nobody listens
  void report(double fraction) const {
    if (progress && *progress) (*progress)(fraction);
  }
};

}  // namespace ouro
