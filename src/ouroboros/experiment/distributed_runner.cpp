#include "ouroboros/experiment/distributed_runner.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
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

// An assignment: the unit's point and regime; -1, -1: stop.
std::string encode_ref(std::int64_t point, std::int64_t regime) {
  ArchiveWriter w;
  w(point, regime);
  return w.take();
}

std::pair<std::int64_t, std::int64_t> decode_ref(const std::string& bytes) {
  std::int64_t point = -1, regime = -1;
  ArchiveReader r(bytes);
  r(point, regime);
  if (!r.at_end()) throw std::runtime_error("distributed run: bad assignment message");
  return {point, regime};
}

// Runs units of one plan, binding each point's family once (the units of a point usually come in a row).
class UnitRunner {
 public:
  UnitRunner(const Plan& plan, const RunTuning& tuning) : plan_(plan), tuning_(tuning) {
    tuning_.checkpoints = nullptr;  // checkpoints live in rank 0's store
  }
  // The unit's report and recorded rows, as one message.
  std::string run(std::size_t point_index, std::size_t r) {
    if (point_index >= plan_.points.size() || r >= plan_.points[point_index].config.regimes.size())
      throw std::runtime_error("distributed run: unit out of range");
    const Point& point = plan_.points[point_index];
    if (!simulator_ || bound_ != point_index) {
      simulator_.reset();
      config_ = point.config;
      simulator_ = bind_point(config_, point, plan_.sweep());
      bound_ = point_index;
    }
    RecordingSink recording;
    const UnitInfo unit = run_unit(config_, *simulator_, point, r, recording, tuning_);
    return encode_unit(unit, recording.bytes());
  }

 private:
  const Plan& plan_;
  RunTuning tuning_;
  ExperimentConfig config_;
  std::unique_ptr<Simulator> simulator_;
  std::size_t bound_ = 0;
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

}  // namespace

void check_single_process(const Plan& plan) {
  for (const auto& point : plan.points)
    if (point.config.model_files)
      throw UserError("output.checkpoints = true: model files are written where a unit runs, and a run over several "
                      "MPI processes cannot keep them yet; run it in one process, or set output.checkpoints = false");
}

PlanReport run_plan_distributed(const Plan& plan, RecordStore& store, const PlanObserver& observer,
                                const RunTuning& tuning, Transport& transport,
                                const std::function<void(const DistributedProgress&)>& progress, Assignment assignment) {
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
    written.units_total = pending.size();
    if (progress) progress(written);
  };
  LocalWorker local(plan, tuning, [&] { return take_next(0); });
  int stopped = 0;  // ranks told that no unit is left
  while (report.units_run < pending.size() || stopped < transport.size() - 1) {
    tuning.cancel.throw_if_requested();
    bool busy = false;
    while (auto message = local.take()) {
      commit(*message);
      busy = true;
    }
    if (auto m = transport.poll()) {
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
    const auto [point, regime] = decode_ref(m.bytes);
    if (point < 0) return;
    std::string result;
    try {
      result = runner.run(static_cast<std::size_t>(point), static_cast<std::size_t>(regime));
    } catch (const RunCancelled&) {
      throw;
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
