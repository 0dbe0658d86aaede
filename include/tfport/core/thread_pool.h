// tfport: a fixed-size worker pool.
//
// Schedule() queues a task; ParallelFor() splits [0, n) across the workers
// and the calling thread and waits for all of them. Used for inter-op
// scheduling (independent graph branches), intra-op parallelism (one big
// kernel) and parallel checksumming of large tensors.
//
// Thread-safety: all methods may be called concurrently. Tasks must not
// throw. A ParallelFor called from inside a worker runs inline parts on the
// caller, so nesting cannot deadlock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tfport {

class ThreadPool {
 public:
  // `threads` workers (0 allowed: everything then runs on the caller).
  explicit ThreadPool(size_t threads);
  ~ThreadPool();  // finishes queued tasks, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t num_threads() const { return workers_.size(); }
  void Schedule(std::function<void()> task);

  // Runs fn(i) for every i in [0, n), using at most num_threads() + 1 threads,
  // and returns when all calls have finished.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

  // Splits [0, total) into contiguous blocks of at least min_block and runs
  // fn(begin, end) on each, in parallel.
  void ParallelForRange(size_t total, size_t min_block,
                        const std::function<void(size_t, size_t)>& fn);

  // Process-wide pool with hardware_concurrency() - 1 workers.
  static ThreadPool& Default();

 private:
  void Work();
  bool RunOneQueued();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
};

}  // namespace tfport
