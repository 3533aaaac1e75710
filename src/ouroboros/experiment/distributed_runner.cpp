#include "ouroboros/experiment/distributed_runner.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/unit_record.hpp"

namespace ouro {

namespace {

struct UnitRef {
  std::size_t point = 0, regime = 0;
};

// An assignment: the unit's point and regime (-1, -1: stop) and, for a share of a spread unit, its replicates.
struct Assigned {
  std::int64_t point = -1, regime = -1;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> share;  // [begin, end)
};

std::string encode_ref(std::int64_t point, std::int64_t regime) {
  ArchiveWriter w;
  w(point, regime);
  return w.take();
}

// The four words of encode_ref's layout written at once: appended one by one, GCC 12 warns (-Warray-bounds,
// wrongly) that the string's inline buffer overflows.
std::string encode_share(std::size_t point, std::size_t regime, std::uint64_t begin, std::uint64_t end) {
  const std::array<std::int64_t, 4> words{static_cast<std::int64_t>(point), static_cast<std::int64_t>(regime),
                                          static_cast<std::int64_t>(begin), static_cast<std::int64_t>(end)};
  std::string bytes(sizeof words, '\0');
  std::memcpy(bytes.data(), words.data(), sizeof words);
  return bytes;
}

Assigned decode_ref(const std::string& bytes) {
  Assigned a;
  ArchiveReader r(bytes);
  r(a.point, a.regime);
  if (!r.at_end()) {
    std::uint64_t begin = 0, end = 0;
    r(begin, end);
    a.share = {begin, end};
  }
  if (!r.at_end()) throw std::runtime_error("distributed run: bad assignment message");
  return a;
}

// The replicates rank k of P simulates in a spread unit of R replicates.
std::pair<std::size_t, std::size_t> share_of(std::size_t replicates, int rank, int ranks) {
  const auto cut = [&](int k) { return replicates * static_cast<std::size_t>(k) / static_cast<std::size_t>(ranks); };
  return {cut(rank), cut(rank + 1)};
}

// Rank 0's messages: those a spread unit waits for, and the rest kept in arrival order for the loop that hands
// out whole units (a rank's next request can arrive before another rank's last rows).
class Inbox {
 public:
  explicit Inbox(Transport& transport) : transport_(transport) {}
  std::optional<Message> poll() {
    if (early_.empty()) return transport_.poll();
    Message m = std::move(early_.front());
    early_.pop_front();
    return m;
  }
  // The next message with this tag, from any rank; another rank's error stops the run with its message.
  Message expect(int tag) {
    for (auto it = early_.begin(); it != early_.end(); ++it)
      if (it->tag == tag) {
        Message m = std::move(*it);
        early_.erase(it);
        return m;
      }
    for (;;) {
      Message m = transport_.receive();
      if (m.tag == kTagError) throw UserError(m.bytes);
      if (m.tag == tag) return m;
      early_.push_back(std::move(m));
    }
  }
  Transport& transport() { return transport_; }

 private:
  Transport& transport_;
  std::deque<Message> early_;
};

// A share's rows of a block: generation by generation, its replicates' rows (contiguous in `values`).
std::string share_rows(std::int64_t len, std::size_t replicates, std::size_t columns, std::size_t begin,
                       std::size_t end, std::span<const double> values) {
  const std::size_t width = (end - begin) * columns;
  std::string bytes(static_cast<std::size_t>(len) * width * sizeof(double), '\0');
  for (std::size_t g = 0; g < static_cast<std::size_t>(len); ++g)
    std::memcpy(bytes.data() + g * width * sizeof(double), values.data() + (g * replicates + begin) * columns,
                width * sizeof(double));
  return bytes;
}

// Rank 0 leads a spread unit: it simulates share 0 and takes every other rank's rows and forgetting records.
class LeadExchange final : public ReplicateExchange {
 public:
  LeadExchange(Inbox& inbox, std::vector<std::pair<std::size_t, std::size_t>> shares)
      : inbox_(inbox), shares_(std::move(shares)) {}
  std::size_t begin() const override { return shares_[0].first; }
  std::size_t end() const override { return shares_[0].second; }
  std::size_t processes() const override { return shares_.size(); }
  bool lead() const override { return true; }
  void block(std::int64_t len, std::size_t replicates, std::size_t columns, std::span<double> values) override {
    std::vector<bool> seen;
    for (std::size_t k = 1; k < shares_.size(); ++k) {
      const Message m = take(kTagRows, seen);
      const auto [b, e] = shares_[static_cast<std::size_t>(m.from)];
      const std::size_t width = (e - b) * columns;
      if (m.bytes.size() != static_cast<std::size_t>(len) * width * sizeof(double))
        throw std::runtime_error(fmt::format("distributed run: rank {} sent rows that do not fit the block", m.from));
      for (std::size_t g = 0; g < static_cast<std::size_t>(len); ++g)
        std::memcpy(values.data() + (g * replicates + b) * columns, m.bytes.data() + g * width * sizeof(double),
                    width * sizeof(double));
    }
  }
  bool go_on(bool lead_says) override {
    for (std::size_t k = 1; k < shares_.size(); ++k)
      inbox_.transport().send(static_cast<int>(k), kTagGoOn, lead_says ? "1" : "0");
    return lead_says;
  }
  void forgetting(std::size_t items, std::span<std::int32_t> forgotten_at,
                  std::vector<std::vector<double>>& original) override {
    std::vector<bool> seen;
    for (std::size_t k = 1; k < shares_.size(); ++k) {
      const Message m = take(kTagForgetting, seen);
      const auto [b, e] = shares_[static_cast<std::size_t>(m.from)];
      std::vector<std::int32_t> at;
      std::vector<std::vector<double>> counts;
      ArchiveReader r(m.bytes);
      r(at, counts);
      if (!r.at_end() || at.size() != (e - b) * items || counts.size() != e - b)
        throw std::runtime_error(fmt::format("distributed run: rank {} sent forgetting records that do not fit",
                                             m.from));
      std::copy(at.begin(), at.end(), forgotten_at.begin() + static_cast<std::ptrdiff_t>(b * items));
      std::move(counts.begin(), counts.end(), original.begin() + static_cast<std::ptrdiff_t>(b));
    }
  }

 private:
  // One message of this kind from each other rank per call: a second one from the same rank is out of step.
  Message take(int tag, std::vector<bool>& seen) {
    Message m = inbox_.expect(tag);
    if (m.from <= 0 || static_cast<std::size_t>(m.from) >= shares_.size())
      throw std::runtime_error(fmt::format("distributed run: rows from rank {}, which has no share", m.from));
    if (seen.empty()) seen.resize(shares_.size());
    if (seen[static_cast<std::size_t>(m.from)])
      throw std::runtime_error(fmt::format("distributed run: rank {} sent twice for one block", m.from));
    seen[static_cast<std::size_t>(m.from)] = true;
    return m;
  }
  Inbox& inbox_;
  std::vector<std::pair<std::size_t, std::size_t>> shares_;
};

// Rank 0 gave up while this rank simulated its share (the other ranks' error, in a test's threads).
struct StopRequested {};

// A rank > 0 simulates its share of a spread unit and sends it to rank 0.
class ShareExchange final : public ReplicateExchange {
 public:
  ShareExchange(Transport& transport, std::size_t begin, std::size_t end)
      : transport_(transport), begin_(begin), end_(end) {}
  std::size_t begin() const override { return begin_; }
  std::size_t end() const override { return end_; }
  std::size_t processes() const override { return static_cast<std::size_t>(transport_.size()); }
  bool lead() const override { return false; }
  void block(std::int64_t len, std::size_t replicates, std::size_t columns, std::span<double> values) override {
    transport_.send(0, kTagRows, share_rows(len, replicates, columns, begin_, end_, values));
  }
  bool go_on(bool) override {
    const Message m = transport_.receive();
    if (m.tag == kTagGoOn) return m.bytes == "1";
    if (m.tag == kTagAssign && decode_ref(m.bytes).point < 0) throw StopRequested{};
    throw std::runtime_error(fmt::format("distributed run: unexpected message {} from rank 0 in a shared unit", m.tag));
  }
  void forgetting(std::size_t items, std::span<std::int32_t> forgotten_at,
                  std::vector<std::vector<double>>& original) override {
    const std::vector<std::int32_t> at(forgotten_at.begin() + static_cast<std::ptrdiff_t>(begin_ * items),
                                       forgotten_at.begin() + static_cast<std::ptrdiff_t>(end_ * items));
    const std::vector<std::vector<double>> counts(original.begin() + static_cast<std::ptrdiff_t>(begin_),
                                                  original.begin() + static_cast<std::ptrdiff_t>(end_));
    ArchiveWriter w;
    w(at, counts);
    transport_.send(0, kTagForgetting, w.bytes());
  }

 private:
  Transport& transport_;
  std::size_t begin_, end_;
};

class DiscardSink final : public ResultSink {
 public:
  void summary(const SummaryRow&) override {}
};

// Runs units of one plan, binding each point's family once (the units of a point usually come in a row).
class UnitRunner {
 public:
  UnitRunner(const Plan& plan, const RunTuning& tuning) : plan_(plan), tuning_(tuning) {
    tuning_.checkpoints = nullptr;  // checkpoints live in rank 0's store
  }
  // The unit's report and recorded rows, as one message.
  std::string run(std::size_t point_index, std::size_t r) {
    RecordingSink recording;
    const UnitInfo unit = run_into(point_index, r, recording, nullptr);
    return encode_unit(unit, recording.bytes());
  }
  // The unit's rows into `sink`; with `exchange`, only its share of the replicates is simulated here.
  UnitInfo run_into(std::size_t point_index, std::size_t r, ResultSink& sink, ReplicateExchange* exchange) {
    if (point_index >= plan_.points.size() || r >= plan_.points[point_index].config.regimes.size())
      throw std::runtime_error("distributed run: unit out of range");
    RunTuning tuning = tuning_;
    tuning.exchange = exchange;
    const std::size_t processes = exchange ? exchange->processes() : 1;
    return run_unit(config_, bind(point_index, processes), plan_.points[point_index], r, sink, tuning);
  }
  // The point's family, its memory checked for one of `processes` processes (bind_point).
  const Simulator& bind(std::size_t point_index, std::size_t processes = 1) {
    if (!simulator_ || bound_ != point_index || processes_ != processes) {
      simulator_.reset();
      config_ = plan_.points[point_index].config;
      simulator_ = bind_point(config_, plan_.points[point_index], plan_.sweep(), processes);
      bound_ = point_index;
      processes_ = processes;
    }
    return *simulator_;
  }
  const ExperimentConfig& config() const { return config_; }

 private:
  const Plan& plan_;
  RunTuning tuning_;
  ExperimentConfig config_;
  std::unique_ptr<Simulator> simulator_;
  std::size_t bound_ = 0, processes_ = 1;
};

// Rank 0's own worker: takes units from the shared list on a thread of its own and queues their messages for
// the main thread (which alone talks to the other ranks and writes the store).
class LocalWorker {
 public:
  LocalWorker(const Plan& plan, const RunTuning& tuning, const std::function<std::optional<UnitRef>()>& next)
      : runner_(plan, stoppable(tuning)), thread_([this, next] { work(next); }) {}
  ~LocalWorker() {
    stop_ = true;
    thread_.join();
  }
  // A finished unit's message, if one is waiting; rethrows the worker's error.
  std::optional<std::string> take() {
    const std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
    if (done_.empty()) return std::nullopt;
    std::string m = std::move(done_.front());
    done_.pop_front();
    return m;
  }

 private:
  // The unit running here stops too when the main thread gives up (another rank's error).
  RunTuning stoppable(RunTuning tuning) {
    tuning.cancel = CancelToken([this, outer = tuning.cancel] { return stop_ || outer.requested(); });
    return tuning;
  }
  void work(const std::function<std::optional<UnitRef>()>& next) {
    try {
      while (!stop_) {
        const auto unit = next();
        if (!unit) return;
        std::string message = runner_.run(unit->point, unit->regime);
        const std::lock_guard lock(mutex_);
        done_.push_back(std::move(message));
      }
    } catch (...) {
      const std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
  }
  std::atomic<bool> stop_{false};
  UnitRunner runner_;
  std::mutex mutex_;
  std::deque<std::string> done_;
  std::exception_ptr error_;
  std::thread thread_;
};

// Takes the units to spread out of `pending` and runs each over every rank, rank 0 leading on this thread (the
// only one that talks to the other ranks), before any whole unit is handed out. `done` is called after each.
void run_spread_units(const Plan& plan, RecordStore& store, const PlanObserver& observer, const RunTuning& tuning,
                      Inbox& inbox, Spread spread, std::vector<UnitRef>& pending, const std::function<void()>& done) {
  const int ranks = inbox.transport().size();
  if (spread == Spread::kNever || ranks < 2) return;
  if (spread == Spread::kAuto && pending.size() >= static_cast<std::size_t>(ranks)) return;
  UnitRunner runner(plan, tuning);
  std::vector<UnitRef> whole;
  for (const UnitRef& unit : pending) {
    const Point& point = plan.points[unit.point];
    const auto replicates = static_cast<std::size_t>(point.config.replicates);
    const auto processes = static_cast<std::size_t>(ranks);
    if (replicates < processes || !spreads_over(runner.config(), runner.bind(unit.point, processes), processes)) {
      whole.push_back(unit);
      continue;
    }
    for (int k = 1; k < ranks; ++k) inbox.expect(kTagRequest);  // every rank waits for its next unit
    std::vector<std::pair<std::size_t, std::size_t>> shares;
    for (int k = 0; k < ranks; ++k) shares.push_back(share_of(replicates, k, ranks));
    for (int k = 1; k < ranks; ++k) {
      const auto [begin, end] = shares[static_cast<std::size_t>(k)];
      inbox.transport().send(k, kTagAssign, encode_share(unit.point, unit.regime, begin, end));
    }
    LeadExchange exchange(inbox, std::move(shares));
    if (observer.unit) observer.unit(point, point.config.regimes[unit.regime], false);
    commit_unit(store, observer, point, unit.regime,
                [&](ResultSink& sink) { return runner.run_into(unit.point, unit.regime, sink, &exchange); });
    done();
  }
  pending = std::move(whole);
}

}  // namespace

std::size_t spread_processes(const Plan& plan, int ranks, Spread spread) {
  std::size_t units = 0;
  for (const auto& point : plan.points) units += point.config.regimes.size();
  const bool may = spread == Spread::kAlways || (spread == Spread::kAuto && units < static_cast<std::size_t>(ranks));
  return ranks > 1 && may ? static_cast<std::size_t>(ranks) : 1;
}

void check_single_process(const Plan& plan) {
  for (const auto& point : plan.points)
    if (point.config.model_files)
      throw UserError("output.checkpoints = true: model files are written where a unit runs, and a run over several "
                      "MPI processes cannot keep them yet; run it in one process, or set output.checkpoints = false");
}

PlanReport run_plan_distributed(const Plan& plan, RecordStore& store, const PlanObserver& observer,
                                const RunTuning& tuning, Transport& transport,
                                const std::function<void(const DistributedProgress&)>& progress, Assignment assignment,
                                Spread spread) {
  if (transport.size() > 1) check_single_process(plan);
  PlanReport report;
  DistributedProgress written;
  std::vector<UnitRef> pending;
  for (const auto& point : plan.points)
    for (std::size_t r = 0; r < point.config.regimes.size(); ++r) {
      if (store.done(point.index, point.config.regimes[r].name())) {
        ++report.units_skipped;
        if (observer.unit) observer.unit(point, point.config.regimes[r], true);
      } else {
        pending.push_back({point.index, r});
      }
    }
  written.units_total = pending.size();
  Inbox inbox(transport);
  run_spread_units(plan, store, observer, tuning, inbox, spread, pending, [&] {
    ++written.units_spread;
    ++report.units_run;
    written.units_done = report.units_run;
    if (progress) progress(written);
  });
  // Dynamic: the next pending unit to whichever rank asks. Static: unit i to rank i mod P, in order.
  std::mutex next_mutex;
  std::vector<std::size_t> next(assignment == Assignment::kStatic ? static_cast<std::size_t>(transport.size()) : 1,
                                0);
  const auto take_next = [&](int rank) -> std::optional<UnitRef> {
    const std::lock_guard lock(next_mutex);
    if (assignment == Assignment::kDynamic) {
      if (next[0] == pending.size()) return std::nullopt;
      return pending[next[0]++];
    }
    const std::size_t i = next[static_cast<std::size_t>(rank)] * next.size() + static_cast<std::size_t>(rank);
    if (i >= pending.size()) return std::nullopt;
    ++next[static_cast<std::size_t>(rank)];
    return pending[i];
  };
  const auto commit = [&](const std::string& message) {
    std::string recording;
    const UnitInfo unit = decode_unit(message, recording);
    const Point& point = plan.points.at(unit.point);
    if (observer.unit) observer.unit(point, point.config.regimes.at(unit.regime_index), false);
    const auto start = std::chrono::steady_clock::now();
    commit_unit(store, observer, point, unit.regime_index, [&](ResultSink& sink) {
      written.records += replay(recording, sink);
      return unit;
    });
    written.write_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++report.units_run;
    written.units_done = report.units_run;
    if (progress) progress(written);
  };
  LocalWorker local(plan, tuning, [&] { return take_next(0); });
  int stopped = 0;  // ranks told that no unit is left
  while (report.units_run < written.units_total || stopped < transport.size() - 1) {
    tuning.cancel.throw_if_requested();
    bool busy = false;
    while (auto message = local.take()) {
      commit(*message);
      busy = true;
    }
    if (auto m = inbox.poll()) {
      busy = true;
      switch (m->tag) {
        case kTagRequest:
          if (auto unit = take_next(m->from)) {
            transport.send(m->from, kTagAssign,
                           encode_ref(static_cast<std::int64_t>(unit->point), static_cast<std::int64_t>(unit->regime)));
          } else {
            transport.send(m->from, kTagAssign, encode_ref(-1, -1));
            ++stopped;
          }
          break;
        case kTagResult:
          commit(m->bytes);
          break;
        case kTagError:
          throw UserError(m->bytes);
        default:
          throw std::runtime_error(fmt::format("distributed run: unexpected message {} from rank {}", m->tag, m->from));
      }
    }
    if (!busy) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return report;
}

void serve_plan(const Plan& plan, const RunTuning& tuning, Transport& transport) {
  UnitRunner runner(plan, tuning);
  transport.send(0, kTagRequest, {});
  for (;;) {
    const Message m = transport.receive();
    if (m.tag != kTagAssign) throw std::runtime_error("distributed run: expected a unit from rank 0");
    const Assigned a = decode_ref(m.bytes);
    if (a.point < 0) return;
    const auto point = static_cast<std::size_t>(a.point), regime = static_cast<std::size_t>(a.regime);
    std::string result;
    try {
      if (a.share) {  // a share of a spread unit: its rows go to rank 0 block by block
        ShareExchange exchange(transport, a.share->first, a.share->second);
        DiscardSink none;
        runner.run_into(point, regime, none, &exchange);
        transport.send(0, kTagRequest, {});
        continue;
      }
      result = runner.run(point, regime);
    } catch (const RunCancelled&) {
      throw;
    } catch (const StopRequested&) {
      return;
    } catch (const std::exception& e) {
      transport.send(0, kTagError, fmt::format("{}: {}", transport.where(), e.what()));
      return;
    }
    // The next request before the result: rank 0 answers it at once, and this rank's next unit is waiting by the
    // time rank 0 has written this one.
    transport.send(0, kTagRequest, {});
    transport.send(0, kTagResult, result);
  }
}

}  // namespace ouro
