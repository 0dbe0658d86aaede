#include "tfport/core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace tfport {

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Schedule(std::function<void()> task) {
  if (workers_.empty()) {
    task();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ThreadPool::Work() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stop_ and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

bool ThreadPool::RunOneQueued() {
  std::function<void()> task;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tasks_.empty()) return false;
    task = std::move(tasks_.front());
    tasks_.pop_front();
  }
  task();
  return true;
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1 || workers_.empty()) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  // Work items are claimed from a shared counter, so the caller makes
  // progress even when every worker is busy elsewhere.
  struct Shared {
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::mutex mu;
    std::condition_variable cv;
  };
  auto shared = std::make_shared<Shared>();
  auto drain = [shared, n, &fn] {
    size_t i;
    while ((i = shared->next.fetch_add(1)) < n) {
      fn(i);
      if (shared->done.fetch_add(1) + 1 == n) {
        std::lock_guard<std::mutex> lock(shared->mu);
        shared->cv.notify_all();
      }
    }
  };
  size_t helpers = std::min(workers_.size(), n - 1);
  for (size_t k = 0; k < helpers; ++k) Schedule(drain);
  drain();
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait(lock, [&] { return shared->done.load() == n; });
}

void ThreadPool::ParallelForRange(size_t total, size_t min_block,
                                  const std::function<void(size_t, size_t)>& fn) {
  if (total == 0) return;
  size_t blocks = std::min(num_threads() + 1, std::max<size_t>(1, total / std::max<size_t>(1, min_block)));
  size_t step = (total + blocks - 1) / blocks;
  ParallelFor(blocks, [&](size_t b) {
    size_t begin = b * step, end = std::min(total, begin + step);
    if (begin < end) fn(begin, end);
  });
}

ThreadPool& ThreadPool::Default() {
  static ThreadPool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
  return pool;
}

}  // namespace tfport
