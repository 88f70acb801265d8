#include "runtime/cpu/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "hypatia/config.hpp"

namespace hypatia {
namespace {

/// One parallel loop. Workers hold it by shared_ptr, so one that wakes late
/// finds its own (finished) loop, never the next one's state.
struct Job {
  const std::function<void(std::int64_t, std::int64_t)>* body;
  std::int64_t n;
  std::int64_t chunks;
  std::atomic<std::int64_t> next_chunk{0};
  std::atomic<std::int64_t> remaining;
  std::mutex mutex;
  std::condition_variable done;

  /// Chunk boundaries rounded down to 64 elements keep cache lines and vectors whole.
  std::int64_t bound(std::int64_t c) const {
    if (c >= chunks) return n;
    return std::min(n, (n * c / chunks) & ~std::int64_t{63});
  }

  void run_chunks() {
    for (;;) {
      const std::int64_t chunk = next_chunk.fetch_add(1);
      if (chunk >= chunks) return;
      (*body)(bound(chunk), bound(chunk + 1));
      if (remaining.fetch_sub(1) == 1) {
        std::lock_guard lock(mutex);
        done.notify_all();
      }
    }
  }
};

class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void run(std::int64_t n, std::int64_t grain,
           const std::function<void(std::int64_t, std::int64_t)>& body) {
    const std::int64_t max_chunks = std::max<std::int64_t>(1, n / std::max<std::int64_t>(grain, 1));
    // config().threads is read per loop, so it can change after the pool exists.
    const std::int64_t allowed = std::max(1, std::min(threads(), config().threads));
    const std::int64_t chunks = std::min<std::int64_t>(allowed, max_chunks);
    std::unique_lock busy(busy_, std::try_to_lock);
    if (chunks <= 1 || !busy.owns_lock()) {
      body(0, n);
      return;
    }
    auto job = std::make_shared<Job>();
    job->body = &body;
    job->n = n;
    job->chunks = chunks;
    job->remaining = chunks;
    {
      std::lock_guard lock(mutex_);
      job_ = job;
      ++generation_;
    }
    wake_.notify_all();
    job->run_chunks();
    std::unique_lock lock(job->mutex);
    job->done.wait(lock, [&] { return job->remaining.load() == 0; });
  }

 private:
  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
      }
      job->run_chunks();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex busy_;  // one loop at a time uses the workers
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  std::shared_ptr<Job> job_;
};

ThreadPool& pool() {
  static ThreadPool instance(
      std::max({1, config().threads, static_cast<int>(std::thread::hardware_concurrency())}));
  return instance;
}

}  // namespace

void parallel_for(std::int64_t n, std::int64_t grain,
                  const std::function<void(std::int64_t, std::int64_t)>& body) {
  if (n <= 0) return;
  pool().run(n, grain, body);
}

int pool_threads() { return pool().threads(); }

}  // namespace hypatia
