#pragma once
// ScheduleTable<Row>: the rows row_1..row_k of a recursion over the generations of one sample schedule,
// row_j = step(row_{j-1}, j), computed once and kept, so that a theory value asked for at every generation
// k = 1..G costs O(1) amortised instead of O(k) (a product or sum over j <= k for a per-generation schedule).
//
// A family keeps one table per recursion as a member; theory() is const and may run on several threads, so
// the rows are extended lazily under a mutex. The table holds one entry per (regime, schedule): a run asks
// for several regimes at once, and each has its own recursion.
//
// Which schedule: SampleSchedule exposes neither an identity nor its vector, and comparing it whole would
// cost O(G) per query. An entry is therefore keyed by the schedule's address, its length, first and last
// sizes, smallest size and constancy, and each lookup also checks the size n_k recorded for the row it
// returns. A schedule replaced in place by another of the same length, ends, minimum and n_k at the same
// address would go unnoticed: the runner's schedule lives as long as the run, and a family's simulator is
// bound to one run, so this does not arise there.
#include <cstdint>
#include <mutex>
#include <vector>

#include "ouroboros/regimes/regime.hpp"

namespace ouro::theory {

template <class Row>
class ScheduleTable {
 public:
  ScheduleTable() = default;
  // A copy starts empty (the mutex cannot be copied; the rows are recomputed on demand).
  ScheduleTable(const ScheduleTable&) {}
  ScheduleTable& operator=(const ScheduleTable&) { return *this; }

  // row_k (1 <= k <= s.generations()) of the recursion row_0 = first, row_j = step(row_{j-1}, j). `step`
  // reads what it needs from the schedule and regime itself; it must depend on nothing else that changes.
  template <class Step>
  Row at(const Regime& regime, const SampleSchedule& s, std::int64_t k, const Row& first, Step&& step) const {
    const Key key = make_key(regime, s);
    std::lock_guard<std::mutex> lock(mutex_);
    Entry* e = nullptr;
    for (Entry& candidate : entries_)
      if (candidate.key == key) e = &candidate;
    if (e != nullptr && !matches(*e, s, k)) {  // another schedule at the same address: start over
      e->rows.clear();
      e->n.clear();
    }
    if (e == nullptr) {
      if (entries_.size() >= kMaxEntries) entries_.clear();
      e = &entries_.emplace_back(Entry{key, {}, {}});
    }
    if (e->rows.empty()) {
      e->rows.push_back(first);
      e->n.push_back(0);
    }
    const auto need = static_cast<std::size_t>(k) + 1;
    if (e->rows.size() < need) {
      e->rows.reserve(static_cast<std::size_t>(s.generations()) + 1);
      e->n.reserve(e->rows.capacity());
      while (e->rows.size() < need) {
        const auto j = static_cast<std::int64_t>(e->rows.size());
        e->rows.push_back(step(e->rows.back(), j));
        e->n.push_back(s.at(j));
      }
    }
    return e->rows[static_cast<std::size_t>(k)];
  }

 private:
  struct Key {
    RegimeKind kind;
    std::int64_t subsample_size;
    double real_fraction;
    const SampleSchedule* schedule;
    std::int64_t generations, first, last, min;
    bool constant;
    bool operator==(const Key&) const = default;
  };
  struct Entry {
    Key key;
    std::vector<Row> rows;
    std::vector<std::int64_t> n;  // n[j] = the schedule's n_j when row j was computed
  };
  static constexpr std::size_t kMaxEntries = 16;

  // The sizes recorded for row k (if computed) and for the last row computed agree with the schedule.
  static bool matches(const Entry& e, const SampleSchedule& s, std::int64_t k) {
    const std::size_t size = e.rows.size();
    if (size <= 1) return true;
    if (e.n.back() != s.at(static_cast<std::int64_t>(size) - 1)) return false;
    return static_cast<std::size_t>(k) >= size || e.n[static_cast<std::size_t>(k)] == s.at(k);
  }
  static Key make_key(const Regime& r, const SampleSchedule& s) {
    const std::int64_t g = s.generations();
    return Key{r.kind,  r.subsample_size, r.real_fraction, &s, g, g > 0 ? s.at(1) : 0, g > 0 ? s.at(g) : 0,
               s.min(), s.constant()};
  }

  mutable std::mutex mutex_;
  mutable std::vector<Entry> entries_;
};

}  // namespace ouro::theory
