// CPU backend benchmarks (issue 6): call overhead, memo hits, the 10-op
// chain fused and unfused against a hand-written std:: loop, and dot against
// OpenBLAS called directly. Ratios are taken within this one run.
//
//   ./build/bench/bench_cpu_backend [log2 elements, default 23]
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;
using Clock = std::chrono::steady_clock;

namespace {

/// Best of `repeats` timings of fn, in milliseconds.
double best_ms(int repeats, const std::function<void()>& fn) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return best;
}

hp::Array random_array(std::int64_t n, hp::DType dtype, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-2, 2);
  hp::Array a({n}, dtype);
  for (std::int64_t i = 0; i < n; ++i) a.set_flat_double(i, dist(rng));
  return a;
}

template <class T>
void hand_chain(std::int64_t n, const T* a, const T* b, const T* c, T* out) {
  for (std::int64_t i = 0; i < n; ++i) {
    const T s = T(1) / (T(1) + std::exp(-(a[i] * b[i] + c[i])));
    out[i] = s * std::tanh(a[i]) - std::exp(-(b[i] * b[i])) + T(0.5) * c[i];
  }
}

void bench_call_overhead() {
  hp::Var foo = hp::scalar("foo");
  hp::Function f = hp::compile({foo}, {foo * foo});
  f(3.0);
  const int calls = 200000;
  const double ms = best_ms(3, [&] {
    for (int i = 0; i < calls; ++i) f(3.0);
  });
  std::printf("call overhead, scalar function f(3.0): %.3f us per call\n", ms * 1e3 / calls);

  const int compiles = 2000;
  const double memo = best_ms(3, [&] {
    for (int i = 0; i < compiles; ++i) {
      hp::Var x = hp::scalar("x");
      hp::compile({x}, {x * x});
    }
  });
  std::printf("compile() memory hit (graph built anew each time): %.1f us\n", memo * 1e3 / compiles);
}

template <class T>
void bench_chain(int log2n) {
  const hp::DType dtype = hp::dtype_of<T>();
  const std::int64_t n = std::int64_t{1} << log2n;
  const hp::Array a = random_array(n, dtype, 1), b = random_array(n, dtype, 2), c = random_array(n, dtype, 3);
  std::vector<T> out(n);
  const double hand = best_ms(5, [&] { hand_chain<T>(n, a.data<T>(), b.data<T>(), c.data<T>(), out.data()); });

  hp::Var x = hp::vector("a", dtype), y = hp::vector("b", dtype), z = hp::vector("c", dtype);
  hp::Var chain = hp::sigmoid(x * y + z) * hp::tanh(x) - hp::exp(-(y * y)) + 0.5 * z;
  hp::Function fused = hp::compile({x, y, z}, {chain});
  hp::Function unfused = hp::compile({x, y, z}, {chain}, {.mode = hp::Mode::FastCompile});
  const int threads = hp::config().threads;
  hp::config().threads = 1;
  const double fused1 = best_ms(5, [&] { fused(a, b, c); });
  const double unfused1 = best_ms(5, [&] { unfused(a, b, c); });
  hp::config().threads = 2;
  const double fused2 = best_ms(5, [&] { fused(a, b, c); });
  hp::config().threads = threads;

  const hp::Array got = fused(a, b, c)[0];
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double want = out[i];
    worst = std::max(worst, std::fabs(got.get_flat_double(i) - want) / std::max(1e-30, std::fabs(want)));
  }
  std::printf("10-op chain, 2^%d %s: hand std:: loop %.1f ms | fused 1T %.1f ms (%.1fx) | fused 2T %.1f ms "
              "(%.2fx over 1T) | unfused 1T %.1f ms (fused %.1fx faster) | max rel diff vs std:: %.2g\n",
              log2n, std::string(hp::dtype_name(dtype)).c_str(), hand, fused1, hand / fused1, fused2,
              fused1 / fused2, unfused1, unfused1 / fused1, worst);
}

void bench_dot() {
  for (int size : {256, 512, 1024}) {
    const std::int64_t n = size;
    const hp::Array A = random_array(n * n, hp::float64, 4).reshape({n, n});
    const hp::Array B = random_array(n * n, hp::float64, 5).reshape({n, n});
    std::vector<double> C(n * n);
    const int repeats = size >= 1024 ? 5 : 20;
    const double blas = best_ms(repeats, [&] {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0, A.data<double>(), size,
                  B.data<double>(), size, 0.0, C.data(), size);
    });
    hp::Var a = hp::matrix("A"), b = hp::matrix("B");
    hp::Function f = hp::compile({a, b}, {hp::dot(a, b)});
    const double ours = best_ms(repeats, [&] { f(A, B); });
    std::printf("dot %4d x %4d float64: OpenBLAS %.3f ms | compiled %.3f ms | ratio %.3f\n", size, size, blas,
                ours, ours / blas);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int log2n = argc > 1 ? std::atoi(argv[1]) : 23;
  std::printf("threads available: %d\n", hp::config().threads);
  bench_call_overhead();
  bench_chain<double>(log2n);
  bench_chain<float>(log2n);
  bench_dot();
  return 0;
}
