// The figures of issue 19 for the ops of compiler/ops/sort.cpp and
// compiler/ops/cumulative.cpp, from functions compiled in FastRun:
//   (1) hp::sort of 2^22 random float64 against std::sort of a copy (the
//       copy's time included in neither: std::sort sorts a fresh copy each
//       run, timed without the copy);
//   (2) hp::argsort of the same against std::stable_sort of positions;
//   (3) hp::cumsum of 2^24 float64 against a copy loop of the same data
//       (a STREAM copy: read n, write n, as cumsum does), into memory
//       written before, and into fresh memory as a compiled call's output.
// Prints the best of N runs in ms and the ratios. Each compiled call also
// allocates its output, which the hand-written loops do not.
//
//   bench_sort_scan [repetitions=7]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

namespace {

double best_ms(int repetitions, const std::function<void()>& prepare, const std::function<void()>& run) {
  double best = 1e300;
  for (int r = 0; r < repetitions; ++r) {
    prepare();
    const auto t0 = std::chrono::steady_clock::now();
    run();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

[[gnu::noinline]] void copy_loop(long n, const double* __restrict from, double* __restrict to) {
  for (long i = 0; i < n; ++i) to[i] = from[i];
}

}  // namespace

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 7;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> dist(-1e6, 1e6);

  const long n_sort = 1L << 22;
  std::vector<double> values(static_cast<std::size_t>(n_sort));
  for (double& v : values) v = dist(rng);
  const hp::Array x = hp::array(values);
  const hp::Var xv = hp::vector("x");
  const hp::Function sort = hp::compile({xv}, {hp::sort(xv)});
  const hp::Function argsort = hp::compile({xv}, {hp::argsort(xv)});

  std::vector<double> scratch;
  hp::Array sorted;
  const double hp_sort_ms = best_ms(repetitions, [] {}, [&] { sorted = sort(x)[0]; });
  const double std_sort_ms =
      best_ms(repetitions, [&] { scratch = values; }, [&] { std::sort(scratch.begin(), scratch.end()); });
  if (sorted.to_vector<double>() != scratch) {
    std::fprintf(stderr, "hp::sort and std::sort disagree\n");
    return 1;
  }
  std::vector<long> order(static_cast<std::size_t>(n_sort));
  const double hp_argsort_ms = best_ms(repetitions, [] {}, [&] { sorted = argsort(x)[0]; });
  const double std_argsort_ms = best_ms(
      repetitions, [&] { std::iota(order.begin(), order.end(), 0L); },
      [&] { std::stable_sort(order.begin(), order.end(), [&](long a, long b) { return values[a] < values[b]; }); });

  const long n_scan = 1L << 24;
  std::vector<double> terms(static_cast<std::size_t>(n_scan));
  for (double& v : terms) v = dist(rng);
  const hp::Array y = hp::array(terms);
  const hp::Function cumsum = hp::compile({xv}, {hp::cumsum(xv, 0)});
  hp::Array summed;
  const double hp_cumsum_ms = best_ms(repetitions, [] {}, [&] { summed = cumsum(y)[0]; });
  std::vector<double> copied(static_cast<std::size_t>(n_scan));
  const double copy_ms = best_ms(repetitions, [] {}, [&] { copy_loop(n_scan, terms.data(), copied.data()); });
  // A compiled call writes a fresh output array: the same copy into fresh memory pays its page faults too.
  const double fresh_copy_ms = best_ms(repetitions, [] {}, [&] {
    std::unique_ptr<double[]> fresh(new double[static_cast<std::size_t>(n_scan)]);
    copy_loop(n_scan, terms.data(), fresh.get());
  });

  std::printf("sort    2^22 f64: hp::sort %8.2f ms   std::sort          %8.2f ms   speed ratio %.2f\n", hp_sort_ms,
              std_sort_ms, std_sort_ms / hp_sort_ms);
  std::printf("argsort 2^22 f64: hp::argsort %5.2f ms   std::stable_sort   %8.2f ms   speed ratio %.2f\n",
              hp_argsort_ms, std_argsort_ms, std_argsort_ms / hp_argsort_ms);
  std::printf("cumsum  2^24 f64: hp::cumsum %6.2f ms   copy loop          %8.2f ms   %.0f %% of the copy's speed\n",
              hp_cumsum_ms, copy_ms, 100.0 * copy_ms / hp_cumsum_ms);
  std::printf("                  copy into fresh memory %8.2f ms   %.0f %% of its speed\n", fresh_copy_ms,
              100.0 * fresh_copy_ms / hp_cumsum_ms);
  return 0;
}
