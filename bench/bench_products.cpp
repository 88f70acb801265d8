// Batched matmul against a loop of direct cblas_dgemm calls (issue 19: within
// 10 %), and tensordot against one direct dgemm on the same data. Best of
// alternating runs in one process; the BLAS is the process's OpenBLAS, with
// its own threading (OPENBLAS_NUM_THREADS).
//
//   ./build/bench/bench_products [batch, default 64] [n, default 128]
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;
using Clock = std::chrono::steady_clock;

namespace {

hp::Array random_array(const hp::Shape& shape, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1, 1);
  hp::Array a(shape, hp::float64);
  for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat_double(i, dist(rng));
  return a;
}

/// Best times of a and b over `rounds` alternating calls, in ms.
std::pair<double, double> best_of_alternating(int rounds, const std::function<void()>& a,
                                              const std::function<void()>& b) {
  auto ms = [](const std::function<void()>& fn) {
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  a();
  b();
  double best_a = 1e300, best_b = 1e300;
  for (int r = 0; r < rounds; ++r) {
    best_a = std::min(best_a, ms(a));
    best_b = std::min(best_b, ms(b));
  }
  return {best_a, best_b};
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t batch = argc > 1 ? std::atoll(argv[1]) : 64;
  const std::int64_t n = argc > 2 ? std::atoll(argv[2]) : 128;
  const hp::Array av = random_array({batch, n, n}, 1), bv = random_array({batch, n, n}, 2);

  const hp::Var a = hp::tensor3("a"), b = hp::tensor3("b");
  const hp::Function f = hp::compile({a, b}, {hp::matmul(a, b)});
  std::vector<double> c(static_cast<std::size_t>(batch * n * n));
  const double* A = static_cast<const double*>(av.raw_data());
  const double* B = static_cast<const double*>(bv.raw_data());
  const auto [hyp, direct] = best_of_alternating(
      30, [&] { (void)f(av, bv); },
      [&] {
        for (std::int64_t t = 0; t < batch; ++t) {
          cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A + t * n * n, n, B + t * n * n, n,
                      0.0, c.data() + t * n * n, n);
        }
      });
  std::printf("matmul %lldx(%lldx%lld) f64: hypatia %.3f ms, loop of cblas_dgemm %.3f ms, ratio %.3f\n",
              static_cast<long long>(batch), static_cast<long long>(n), static_cast<long long>(n), hyp, direct,
              hyp / direct);

  // tensordot of (batch*n, n) rows with (n, n): one gemm.
  const hp::Var m = hp::matrix("m");
  const hp::Function g = hp::compile({a, m}, {hp::tensordot(a, m, 1)});
  const hp::Array mv = random_array({n, n}, 3);
  std::vector<double> d(static_cast<std::size_t>(batch * n * n));
  const auto [td, one] = best_of_alternating(
      30, [&] { (void)g(av, mv); },
      [&] {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch * n, n, n, 1.0, A, n,
                    static_cast<const double*>(mv.raw_data()), n, 0.0, d.data(), n);
      });
  std::printf("tensordot (%lld,%lld,%lld).(%lld,%lld) f64: hypatia %.3f ms, one cblas_dgemm %.3f ms, ratio %.3f\n",
              static_cast<long long>(batch), static_cast<long long>(n), static_cast<long long>(n),
              static_cast<long long>(n), static_cast<long long>(n), td, one, td / one);
  return 0;
}
