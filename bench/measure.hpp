/// \file Timing and thread splitting for hypatia-bench: best of several runs
/// after a warm-up (steady_clock), and a loop split over N std::threads for
/// the hand-written loops.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace hypatia_bench {

/// How many times a measurement repeats: at least min_runs, then more while
/// the total stays under budget_ms, at most max_runs.
struct RepeatPolicy {
  int min_runs = 5;
  int max_runs = 50;
  double budget_ms = 400;
};

inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// Best time of fn in ms, after one untimed warm-up call.
inline double best_ms(const RepeatPolicy& policy, const std::function<void()>& fn) {
  fn();
  double best = 1e300, total = 0;
  for (int run = 0; run < policy.max_runs; ++run) {
    if (run >= policy.min_runs && total >= policy.budget_ms) break;
    const auto start = std::chrono::steady_clock::now();
    fn();
    const double ms = ms_since(start);
    best = std::min(best, ms);
    total += ms;
  }
  return best;
}

/// Best time in ms of each of fns, measured in rotation (one run of each per
/// round, after one warm-up round), so that load from other processes falls
/// on all of them alike. The policy's budget counts the slowest function.
inline std::vector<double> best_ms_interleaved(const RepeatPolicy& policy,
                                               const std::vector<std::function<void()>>& fns) {
  for (const auto& fn : fns) fn();
  std::vector<double> best(fns.size(), 1e300);
  double total = 0;
  for (int round = 0; round < policy.max_runs; ++round) {
    if (round >= policy.min_runs && total >= policy.budget_ms) break;
    double slowest = 0;
    for (std::size_t k = 0; k < fns.size(); ++k) {
      const auto start = std::chrono::steady_clock::now();
      fns[k]();
      const double ms = ms_since(start);
      best[k] = std::min(best[k], ms);
      slowest = std::max(slowest, ms);
    }
    total += slowest;
  }
  return best;
}

/// The chunk split_range gives each thread: a multiple of 64 items.
inline std::int64_t split_chunk(int threads, std::int64_t n) {
  if (threads <= 1 || n < 2 * 64) return std::max<std::int64_t>(n, 1);
  return ((n + threads - 1) / threads + 63) / 64 * 64;
}

/// Calls body(begin, end) over [0, n) cut into chunks of split_chunk items,
/// one per thread, the first on the calling thread.
inline void split_range(int threads, std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) {
  const std::int64_t chunk = split_chunk(threads, n);
  if (chunk >= n) {
    body(0, n);
    return;
  }
  std::vector<std::thread> helpers;
  for (std::int64_t begin = chunk; begin < n; begin += chunk) {
    helpers.emplace_back(body, begin, std::min(n, begin + chunk));
  }
  body(0, std::min(n, chunk));
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace hypatia_bench
