// ScheduleTable: rows follow the recursion whatever order generations are asked in, each (regime, schedule)
// has its own rows, each row is computed once, and concurrent callers agree.
#include "ouroboros/theory/schedule_table.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace ouro::theory {
namespace {

// Row k = n_1 + ... + n_k.
struct Sum {
  std::int64_t value = 0;
};

std::int64_t prefix(const std::vector<std::int64_t>& n, std::int64_t k) {
  std::int64_t s = 0;
  for (std::int64_t j = 0; j < k; ++j) s += n[static_cast<std::size_t>(j)];
  return s;
}

TEST(ScheduleTable, RowsFollowTheRecursionInAnyOrderAndAreComputedOnce) {
  const std::vector<std::int64_t> n{3, 1, 4, 1, 5, 9, 2, 6};
  const SampleSchedule samples(n);
  const Regime replace = parse_regime("replace");
  ScheduleTable<Sum> table;
  int steps = 0;
  const auto step = [&](const Sum& r, std::int64_t j) {
    ++steps;
    return Sum{r.value + samples.at(j)};
  };
  for (const std::int64_t k : {5, 2, 8, 1, 8, 3})
    EXPECT_EQ(table.at(replace, samples, k, Sum{}, step).value, prefix(n, k));
  EXPECT_EQ(steps, 8) << "each row once";
}

TEST(ScheduleTable, RegimesAndSchedulesHaveTheirOwnRows) {
  const std::vector<std::int64_t> a{10, 20, 30}, b{1, 2, 3};
  const SampleSchedule sa(a), sb(b);
  const Regime replace = parse_regime("replace"), mix1 = parse_regime("fresh_mix(real_fraction=0.1)"),
               mix2 = parse_regime("fresh_mix(real_fraction=0.2)");
  ScheduleTable<Sum> table;
  // The step reads the regime: a different recursion per regime.
  const auto stepper = [](const SampleSchedule& s, std::int64_t scale) {
    return [&s, scale](const Sum& r, std::int64_t j) { return Sum{r.value + scale * s.at(j)}; };
  };
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(table.at(replace, sa, 3, Sum{}, stepper(sa, 1)).value, 60);
    EXPECT_EQ(table.at(replace, sb, 3, Sum{}, stepper(sb, 1)).value, 6);
    EXPECT_EQ(table.at(mix1, sa, 2, Sum{}, stepper(sa, 2)).value, 60);
    EXPECT_EQ(table.at(mix2, sa, 2, Sum{}, stepper(sa, 3)).value, 90);
  }
}

TEST(ScheduleTable, AScheduleReplacedAtTheSameAddressIsNoticed) {
  ScheduleTable<Sum> table;
  const Regime replace = parse_regime("replace");
  SampleSchedule samples(std::vector<std::int64_t>{5, 6, 7, 8});
  const auto step = [&](const Sum& r, std::int64_t j) { return Sum{r.value + samples.at(j)}; };
  EXPECT_EQ(table.at(replace, samples, 4, Sum{}, step).value, 26);
  samples = SampleSchedule(std::vector<std::int64_t>{5, 6, 9, 9, 8});  // another length
  EXPECT_EQ(table.at(replace, samples, 4, Sum{}, step).value, 29);
  // Same length, ends and minimum: only n_2 differs, which the row for generation 2 recorded.
  samples = SampleSchedule(std::vector<std::int64_t>{5, 9, 6, 9, 8});
  EXPECT_EQ(table.at(replace, samples, 2, Sum{}, step).value, 14);
  EXPECT_EQ(table.at(replace, samples, 5, Sum{}, step).value, 37);
}

TEST(ScheduleTable, ConcurrentCallersSeeTheSameRows) {
  std::vector<std::int64_t> n(20000);
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::int64_t>(1 + (i * 7919) % 101);
  const SampleSchedule samples(n);
  std::vector<std::int64_t> expected(n.size() + 1, 0);
  for (std::size_t i = 0; i < n.size(); ++i) expected[i + 1] = expected[i] + n[i];
  const Regime accumulate = parse_regime("accumulate");
  ScheduleTable<Sum> table;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (std::int64_t k = 1 + t; k <= samples.generations(); k += 97) {
        const Sum s = table.at(accumulate, samples, k, Sum{},
                               [&](const Sum& r, std::int64_t j) { return Sum{r.value + samples.at(j)}; });
        if (s.value != expected[static_cast<std::size_t>(k)]) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ScheduleTable, ACopyStartsEmptyAndWorks) {
  ScheduleTable<Sum> table;
  const SampleSchedule samples(std::vector<std::int64_t>{2, 2});
  const Regime replace = parse_regime("replace");
  const auto step = [&](const Sum& r, std::int64_t j) { return Sum{r.value + samples.at(j)}; };
  EXPECT_EQ(table.at(replace, samples, 2, Sum{}, step).value, 4);
  const ScheduleTable<Sum> copy = table;
  int steps = 0;
  EXPECT_EQ(copy.at(replace, samples, 2, Sum{},
                    [&](const Sum& r, std::int64_t j) {
                      ++steps;
                      return step(r, j);
                    })
                .value,
            4);
  EXPECT_EQ(steps, 2);
}

}  // namespace
}  // namespace ouro::theory
