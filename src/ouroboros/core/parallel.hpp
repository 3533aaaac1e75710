#pragma once
// parallel_for: runs fn(index, worker) for index in [0, count) on `threads` workers taking indices in turn.
// Results never depend on the thread count, because every index owns its randomness and its output slot.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ouro {

unsigned resolve_threads(unsigned requested);  // 0: all hardware threads
double available_memory_bytes();               // MemAvailable (Linux), else the physical memory

template <class Fn>
void parallel_for(unsigned threads, std::size_t count, Fn&& fn) {
  threads = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, threads), count));
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i) fn(i, 0u);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](unsigned worker) {
    try {
      for (std::size_t i; (i = next.fetch_add(1)) < count;) fn(i, worker);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = count;
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  pool.clear();
  if (error) std::rethrow_exception(error);
}

}  // namespace ouro
