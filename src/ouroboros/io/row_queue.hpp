#pragma once
// Rows handed in batches to one background thread, so that a store's inserts overlap the computation and the CSV
// formatting instead of following them. Bounded: a producer that gets more than `max_batches` ahead waits.
// A consumer's exception is kept and rethrown to the producer at its next push or drain.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ouro {

template <class Row>
class RowQueue {
 public:
  using Consumer = std::function<void(std::vector<Row>&)>;
  explicit RowQueue(Consumer consume, std::size_t batch = 4096, std::size_t max_batches = 8)
      : consume_(std::move(consume)), batch_(batch), max_batches_(max_batches), thread_([this] { work(); }) {}
  ~RowQueue() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    ready_.notify_all();
    thread_.join();
  }
  RowQueue(const RowQueue&) = delete;
  RowQueue& operator=(const RowQueue&) = delete;

  void push(Row row) {
    pending_.push_back(std::move(row));
    if (pending_.size() >= batch_) hand_over();
  }
  // Every row pushed so far is consumed when this returns.
  void drain() {
    hand_over();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return (queue_.empty() && !busy_) || error_; });
    rethrow(lock);
  }
  // Drops the rows not yet consumed and waits for the consumer to finish the batch it holds; forgets an error.
  void discard() {
    pending_.clear();
    std::unique_lock lock(mutex_);
    queue_.clear();
    done_.wait(lock, [&] { return !busy_; });
    error_ = nullptr;
  }

 private:
  void hand_over() {
    if (pending_.empty()) return;
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return queue_.size() < max_batches_ || error_; });
    rethrow(lock);
    queue_.push_back(std::move(pending_));
    // A consumed batch's buffer is reused: a fresh one of this size would be mapped and zeroed page by page.
    if (!spare_.empty()) {
      pending_ = std::move(spare_.back());
      spare_.pop_back();
    } else {
      pending_ = {};
      pending_.reserve(batch_);
    }
    lock.unlock();
    ready_.notify_one();
  }
  void rethrow(std::unique_lock<std::mutex>& lock) {
    if (!error_) return;
    auto e = error_;
    error_ = nullptr;
    queue_.clear();
    lock.unlock();
    std::rethrow_exception(e);
  }
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      std::vector<Row> rows = std::move(queue_.front());
      queue_.pop_front();
      if (error_) continue;  // after a failure nothing more is consumed: the producer is told and discards
      busy_ = true;
      lock.unlock();
      try {
        consume_(rows);
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
        busy_ = false;
        done_.notify_all();
        continue;
      }
      lock.lock();
      rows.clear();
      if (spare_.size() < 2) spare_.push_back(std::move(rows));
      busy_ = false;
      done_.notify_all();
    }
  }

  Consumer consume_;
  std::size_t batch_, max_batches_;
  std::vector<Row> pending_;  // the producer's, unlocked
  std::mutex mutex_;
  std::condition_variable ready_, done_;
  std::deque<std::vector<Row>> queue_;
  std::vector<std::vector<Row>> spare_;  // consumed batches, cleared, kept for reuse
  bool busy_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace ouro
