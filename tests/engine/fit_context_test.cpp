// Family contract v2: what the chains hand a fit that takes a FitContext. A test family records what it was given
// as its metrics: the previous model (model k-1, the truth at k = 1), a draw from the fit's own stream
// (Stream::kFit of seed, replicate, generation), the generation and replicate; a cancel request stops a fit
// (RunCancelled), and progress reaches the listener.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {
namespace {

class ContextFamily {
 public:
  struct Model {
    double value = 0;         // the fitted mean
    double seen_previous = 0;  // ctx.previous.value
    double draw = 0;           // ctx.rng.uniform()
    double generation = 0, replicate = 0;
  };
  using Sample = double;
  static FamilyDescriptor descriptor() {
    FamilyDescriptor d;
    d.name = "context_test";
    d.metrics = {{"value", ""}, {"seen_previous", ""}, {"draw", ""}, {"generation", ""}, {"replicate", ""}};
    d.resources = {true, 1};
    return d;
  }
  explicit ContextFamily(bool cancel_aware = false) : cancel_aware_(cancel_aware) { truth_.value = 3; }
  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
    for (std::int64_t i = 0; i < n; ++i) out.push_back(m.value + rng.uniform() - 0.5);
  }
  void fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const {
    for (int step = 1; step <= 4; ++step) {
      if (cancel_aware_) ctx.cancel.throw_if_requested();
      ctx.report(step / 4.0);
    }
    double sum = 0;
    for (const double x : xs) sum += x;
    out.value = sum / static_cast<double>(xs.size());
    out.seen_previous = ctx.previous.value;
    out.draw = ctx.rng.uniform();
    out.generation = static_cast<double>(ctx.generation);
    out.replicate = static_cast<double>(ctx.replicate);
  }
  void metrics(const Model& m, std::span<double> out) const {
    out[0] = m.value, out[1] = m.seen_previous, out[2] = m.draw, out[3] = m.generation, out[4] = m.replicate;
  }
  nlohmann::json describe() const { return {}; }

 private:
  Model truth_;
  bool cancel_aware_ = false;
};

static_assert(HasSampleFitContext<ContextFamily>);
static_assert(kCheckpointable<ContextFamily>);

TEST(FitContext, TheFitSeesThePreviousModelItsOwnStreamAndItsAddress) {
  const SimulatorFor<ContextFamily> sim{ContextFamily()};
  EXPECT_TRUE(sim.resources().heavy);
  const SampleSchedule samples(std::vector<std::int64_t>(5, 20));
  for (const std::uint64_t replicate : {0u, 4u}) {
    auto chain = sim.chain(parse_regime("replace"), KernelKind::kSample, samples, 11, replicate);
    double previous = 3;  // the truth's value: model 0
    for (std::int64_t g = 1; g <= 5; ++g) {
      std::vector<double> m(5);
      chain->step(g, m);
      EXPECT_EQ(m[1], previous) << "generation " << g;
      EXPECT_EQ(m[2], Rng(11, replicate, static_cast<std::uint64_t>(g), Stream::kFit).uniform()) << "generation " << g;
      EXPECT_EQ(m[3], static_cast<double>(g));
      EXPECT_EQ(m[4], static_cast<double>(replicate));
      previous = m[0];
    }
  }
}

TEST(FitContext, ACancelRequestStopsTheFitAndProgressIsReported) {
  const SimulatorFor<ContextFamily> sim{ContextFamily(true)};
  const SampleSchedule samples(std::vector<std::int64_t>(3, 10));
  auto chain = sim.chain(parse_regime("accumulate"), KernelKind::kSample, samples, 1, 0);
  std::atomic<bool> stop{false};
  const CancelToken cancel([&] { return stop.load(); });
  std::vector<double> reported;
  const FitProgress progress = [&](double f) { reported.push_back(f); };
  chain->set_fit_hooks(&cancel, &progress);
  std::vector<double> m(5);
  chain->step(1, m);
  EXPECT_EQ(reported, (std::vector<double>{0.25, 0.5, 0.75, 1.0}));
  stop = true;
  EXPECT_THROW(chain->step(2, m), RunCancelled);
}

// The archive: nested vectors, pairs, strings, matrices and structs with archive() round-trip exactly; a truncated
// or corrupt archive throws instead of reading past its end or allocating without bound.
struct Nested {
  std::vector<std::pair<double, std::int64_t>> pairs;
  std::string name;
  std::vector<std::vector<float>> rows;
  template <class A>
  void archive(A& ar) { ar(pairs, name, rows); }
  bool operator==(const Nested&) const = default;
};

TEST(Archive, RoundTripsNestedValuesAndRefusesTruncatedInput) {
  Nested a{{{1.5, -3}, {NAN, 7}}, "replace", {{1, 2}, {}, {3}}};
  a.pairs[1].first = 2.25;
  const ContextFamily::Model model{1, 2, 3, 4, 5};
  ArchiveWriter w;
  w(a, model, std::int64_t{42});
  Nested b;
  ContextFamily::Model m2;
  std::int64_t x = 0;
  ArchiveReader r(w.bytes());
  r(b, m2, x);
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(a, b);
  EXPECT_EQ(m2.value, 1);
  EXPECT_EQ(m2.replicate, 5);
  EXPECT_EQ(x, 42);
  ArchiveWriter only;
  only(a);
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, only.bytes().size() - 1}) {
    ArchiveReader t(std::string_view(only.bytes()).substr(0, cut));
    Nested c;
    EXPECT_THROW(t(c), std::runtime_error) << "cut at " << cut;
  }
  std::string huge(8, '\xff');  // a vector length of 2^64 - 1 with nothing behind it
  ArchiveReader h(huge);
  std::vector<double> v;
  EXPECT_THROW(h(v), std::runtime_error);
}

}  // namespace
}  // namespace ouro
