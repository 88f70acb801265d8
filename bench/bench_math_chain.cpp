// The 10-op chain of issue 6, sigmoid(a*b+c) * tanh(a) - exp(-(b*b)) + 0.5*c,
// over 2^23 elements, single-threaded:
//   (1) written by hand with std::exp / std::tanh and compiled into this
//       benchmark (-O3 from the Release build): one scalar libm call per
//       transcendental, so the loop stays scalar;
//   (2) the same loop JIT-compiled with codegen_templates/math.h (hp_sigmoid,
//       hp_tanh, hp_exp), which Clang vectorises for the host CPU; like the
//       code generator's loops, with `#pragma clang loop interleave_count(1)`;
//   (3) as (2) with interleave_count(2): two vectors in flight hide the
//       latency of the long dependency chains (a code generator's choice for
//       loops with several transcendental calls).
// Both for float64 and float32. Prints the best of N runs in ms, the speed-up,
// and how far the JIT results are from the std:: ones.
//
//   bench_math_chain [repetitions=7]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cpu/jit.hpp"

namespace jit = hypatia::jit;

namespace {

constexpr long kElements = 1L << 23;

// (1) The hand-written loop. noinline keeps it one function the compiler
// cannot specialise on the call site's data.
template <typename T>
[[gnu::noinline]] void chain_std(long n, const T* __restrict a, const T* __restrict b,
                                 const T* __restrict c, T* __restrict out) {
  for (long i = 0; i < n; ++i) {
    T sigmoid = T(1) / (T(1) + std::exp(-(a[i] * b[i] + c[i])));
    out[i] = sigmoid * std::tanh(a[i]) - std::exp(-(b[i] * b[i])) + T(0.5) * c[i];
  }
}

// (2), (3): the loop as generated code, for `type` "double" or "float".
std::string chain_loop(const std::string& type, int interleave) {
  const std::string& t = type;
  std::string symbol = std::string("chain_") + (t == "double" ? "f64" : "f32") +
                       (interleave > 1 ? "_x" + std::to_string(interleave) : "");
  std::string half = t == "double" ? "0.5" : "0.5f";
  return "\n// Elemwise{Composite{sigmoid(a*b+c) * tanh(a) - exp(-(b*b)) + 0.5*c}}\n"
         "extern \"C\" void " +
         symbol + "(long n, const " + t + "* __restrict a, const " + t + "* __restrict b, const " +
         t + "* __restrict c, " + t +
         "* __restrict out) {\n"
         "  #pragma clang loop interleave_count(" +
         std::to_string(interleave) +
         ")\n"
         "  for (long i = 0; i < n; ++i) {\n"
         "    " +
         t +
         " t0 = a[i] * b[i] + c[i];\n"
         "    " +
         t +
         " t1 = hp_sigmoid(t0) * hp_tanh(a[i]);\n"
         "    " +
         t +
         " t2 = hp_exp(-(b[i] * b[i]));\n"
         "    out[i] = t1 - t2 + " +
         half +
         " * c[i];\n"
         "  }\n}\n";
}

// math.h, then the loops chain_f64, chain_f64_x2, chain_f32, chain_f32_x2.
std::string chain_source() {
  std::filesystem::path path =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "codegen_templates" / "math.h";
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "bench_math_chain: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::ostringstream source;
  source << in.rdbuf();
  for (const char* type : {"double", "float"})
    for (int interleave : {1, 2}) source << chain_loop(type, interleave);
  return source.str();
}

template <typename T>
using Chain = void(long, const T*, const T*, const T*, T*);

template <typename T>
double best_ms(Chain<T>* chain, const std::vector<T>& a, const std::vector<T>& b,
               const std::vector<T>& c, std::vector<T>& out, int repetitions) {
  double best = std::numeric_limits<double>::infinity();
  chain(kElements, a.data(), b.data(), c.data(), out.data());  // warm caches and pages
  for (int r = 0; r < repetitions; ++r) {
    auto start = std::chrono::steady_clock::now();
    chain(kElements, a.data(), b.data(), c.data(), out.data());
    best = std::min(
        best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count());
  }
  return best;
}

// Compute alone: the first 4096 elements (in L1/L2) many times, the fastest
// run in ns per element. On a shared, noisy machine this is the steadier ratio.
template <typename T>
double best_ns_in_cache(Chain<T>* chain, const std::vector<T>& a, const std::vector<T>& b,
                        const std::vector<T>& c, std::vector<T>& out) {
  constexpr long kCached = 4096;
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < 3000; ++r) {
    auto start = std::chrono::steady_clock::now();
    chain(kCached, a.data(), b.data(), c.data(), out.data());
    best = std::min(
        best,
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
            kCached);
  }
  return best;
}

// Largest |got - want| / |want| over elements with |want| >= floor (the chain
// crosses zero: near 0, a result made of O(1) terms has a large relative
// error whatever computes it), and the largest |got - want| / scale, where
// scale is |sigmoid(a*b+c) tanh(a)| + |exp(-(b*b))| + |0.5 c|, the size of
// the terms that were summed: the error the functions themselves add.
struct Error {
  double max_relative = 0, termwise = 0;
};

template <typename T>
Error compare(const std::vector<T>& got, const std::vector<double>& want,
              const std::vector<double>& scale, double floor) {
  Error error;
  for (std::size_t i = 0; i < got.size(); ++i) {
    double diff = std::fabs(static_cast<double>(got[i]) - want[i]);
    error.termwise = std::max(error.termwise, diff / scale[i]);
    if (std::fabs(want[i]) >= floor)
      error.max_relative = std::max(error.max_relative, diff / std::fabs(want[i]));
  }
  return error;
}

template <typename T>
std::vector<double> term_scale(const std::vector<T>& a, const std::vector<T>& b,
                               const std::vector<T>& c) {
  std::vector<double> scale(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    double t0 = double(a[i]) * double(b[i]) + double(c[i]);
    scale[i] = std::fabs(std::tanh(double(a[i])) / (1 + std::exp(-t0))) +
               std::exp(-double(b[i]) * double(b[i])) + std::fabs(0.5 * double(c[i]));
  }
  return scale;
}

struct Result {
  double std_ms = 0, jit_ms = 0, jit_x2_ms = 0;
  double std_ns = 0, jit_ns = 0, jit_x2_ns = 0;  // per element, in cache
  Error jit_vs_std, jit_vs_f64, std_vs_f64;
};

template <typename T>
Result run(const jit::Module& module, const char* symbol, int repetitions) {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> dist(-4.0, 4.0);
  std::vector<T> a(kElements), b(kElements), c(kElements), out_std(kElements), out_jit(kElements);
  for (long i = 0; i < kElements; ++i) {
    a[i] = static_cast<T>(dist(rng));
    b[i] = static_cast<T>(dist(rng) / 2);
    c[i] = static_cast<T>(dist(rng));
  }
  Result result;
  result.std_ms = best_ms<T>(&chain_std<T>, a, b, c, out_std, repetitions);
  result.jit_ms = best_ms<T>(module.function<Chain<T>>(symbol), a, b, c, out_jit, repetitions);
  std::vector<T> out_x2(kElements);
  result.jit_x2_ms = best_ms<T>(module.function<Chain<T>>(std::string(symbol) + "_x2"), a, b, c,
                                out_x2, repetitions);
  result.std_ns = best_ns_in_cache<T>(&chain_std<T>, a, b, c, out_std);
  result.jit_ns = best_ns_in_cache<T>(module.function<Chain<T>>(symbol), a, b, c, out_jit);
  result.jit_x2_ns =
      best_ns_in_cache<T>(module.function<Chain<T>>(std::string(symbol) + "_x2"), a, b, c, out_x2);
  if (out_x2 != out_jit) {
    std::fprintf(stderr, "bench_math_chain: interleaved loop gives other results\n");
    std::exit(1);
  }

  // Accuracy: against the std:: loop of the same dtype, and against the std::
  // loop in float64 on the same (float32-rounded) inputs.
  std::vector<double> scale = term_scale(a, b, c);
  std::vector<double> want_same(out_std.begin(), out_std.end());
  result.jit_vs_std = compare(out_jit, want_same, scale, 1e-3);
  std::vector<double> a64(a.begin(), a.end()), b64(b.begin(), b.end()), c64(c.begin(), c.end());
  std::vector<double> want_f64(kElements);
  chain_std<double>(kElements, a64.data(), b64.data(), c64.data(), want_f64.data());
  result.jit_vs_f64 = compare(out_jit, want_f64, scale, 1e-3);
  result.std_vs_f64 = compare(out_std, want_f64, scale, 1e-3);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  if (!jit::available()) {
    std::printf("bench_math_chain: this build has no JIT (HYPATIA_WITH_CLANG=OFF)\n");
    return 0;
  }
  auto compile_start = std::chrono::steady_clock::now();
  auto module = jit::compile(chain_source());
  double compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start)
          .count();
  std::printf(
      "chain: sigmoid(a*b+c) * tanh(a) - exp(-(b*b)) + 0.5*c, %ld elements, 1 thread,\n"
      "best of %d; LLVM %s, cpu %s; JIT compile of math.h + 4 loops: %.0f ms\n\n",
      kElements, repetitions, jit::llvm_version().c_str(), jit::host_cpu().c_str(), compile_ms);

  Result f64 = run<double>(*module, "chain_f64", repetitions);
  Result f32 = run<float>(*module, "chain_f32", repetitions);

  std::printf("%-40s %12s %12s\n", "", "float64", "float32");
  std::printf("%-40s %12.1f %12.1f\n", "std::exp/std::tanh loop, -O3 (ms)", f64.std_ms, f32.std_ms);
  std::printf("%-40s %12.1f %12.1f\n", "JIT loop with math.h, vectorised (ms)", f64.jit_ms,
              f32.jit_ms);
  std::printf("%-40s %11.1fx %11.1fx\n", "speed-up (goal: 6x f64, 15x f32)",
              f64.std_ms / f64.jit_ms, f32.std_ms / f32.jit_ms);
  std::printf("%-40s %12.1f %12.1f\n", "JIT loop, interleave_count(2) (ms)", f64.jit_x2_ms,
              f32.jit_x2_ms);
  std::printf("%-40s %11.1fx %11.1fx\n", "speed-up, interleaved", f64.std_ms / f64.jit_x2_ms,
              f32.std_ms / f32.jit_x2_ms);
  std::printf("%-40s %12.2f %12.2f\n", "in cache: std:: loop (ns/element)", f64.std_ns, f32.std_ns);
  std::printf("%-40s %12.2f %12.2f\n", "in cache: JIT loop (ns/element)", f64.jit_ns, f32.jit_ns);
  std::printf("%-40s %11.1fx %11.1fx\n", "in cache: speed-up", f64.std_ns / f64.jit_ns,
              f32.std_ns / f32.jit_ns);
  std::printf("%-40s %11.1fx %11.1fx\n", "in cache: speed-up, interleaved",
              f64.std_ns / f64.jit_x2_ns, f32.std_ns / f32.jit_x2_ns);
  std::printf("%-40s %12.2e %12.2e\n", "JIT vs std::, max rel error (|ref| >= 1e-3)",
              f64.jit_vs_std.max_relative, f32.jit_vs_std.max_relative);
  std::printf("%-40s %12.2e %12.2e\n", "JIT vs std::, max error / size of terms",
              f64.jit_vs_std.termwise, f32.jit_vs_std.termwise);
  std::printf("%-40s %12.2e %12.2e\n", "JIT vs float64 std::, max rel error",
              f64.jit_vs_f64.max_relative, f32.jit_vs_f64.max_relative);
  std::printf("%-40s %12.2e %12.2e\n", "JIT vs float64 std::, error / terms",
              f64.jit_vs_f64.termwise, f32.jit_vs_f64.termwise);
  std::printf("%-40s %12.2e %12.2e\n", "std:: vs float64 std::, max rel error",
              f64.std_vs_f64.max_relative, f32.std_vs_f64.max_relative);
  std::printf("%-40s %12.2e %12.2e\n", "std:: vs float64 std::, error / terms",
              f64.std_vs_f64.termwise, f32.std_vs_f64.termwise);
  return 0;
}
