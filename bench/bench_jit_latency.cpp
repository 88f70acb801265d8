// Latency of the CPU JIT (runtime/cpu/jit.hpp) in one process: the first
// compile (target and ORC initialisation included), warm compiles of distinct
// sources at each optimisation level, and loading a cached object.
//
//   bench_jit_latency [warm_repetitions=10]
//
// The source is a generated-style translation unit of ~100 lines with no
// #include: an inline vectorisable exp, three fused loops, a reduction and a
// call into the runtime. Each compile changes one constant so nothing is
// memoised anywhere.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/cpu/jit.hpp"

namespace jit = hypatia::jit;

namespace {

std::string generated_source(int variant) {
  std::string source = R"(// generated-style kernel, variant @VARIANT@
typedef long hp_index;

extern "C" void hypatia_runtime_note(hp_index n, double value);

namespace {

inline double hp_exp(double x) {
  const double log2e = 0x1.71547652b82fep0;
  const double ln2_hi = 0x1.62e42fefa3800p-1;
  const double ln2_lo = 0x1.ef35793c76730p-45;
  double k = (x * log2e + 0x1.8p52) - 0x1.8p52;
  double r = (x - k * ln2_hi) - k * ln2_lo;
  double p = 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  long bits = (static_cast<long>(k) + 1023) << 52;
  double scale = __builtin_bit_cast(double, bits);
  double result = p * scale;
  result = x > 709.0 ? __builtin_inf() : result;
  result = x < -708.0 ? 0.0 : result;
  return x != x ? x : result;
}

inline double hp_sigmoid(double x) { return 1.0 / (1.0 + hp_exp(-x)); }

inline double hp_softplus(double x) {
  double e = hp_exp(x < 0 ? x : -x);
  double tail = x > 0 ? x : 0.0;
  return tail + __builtin_log1p(e);
}

// Elemwise{Composite{sigmoid(a*b+c) * 0.5 + c}}(a, b, c)
void fused_0(hp_index n, const double* __restrict a, const double* __restrict b,
             const double* __restrict c, double* __restrict out) {
  for (hp_index i = 0; i < n; ++i) {
    double t0 = a[i] * b[i] + c[i];
    double t1 = hp_sigmoid(t0);
    out[i] = t1 * 0.5 + c[i];
  }
}

// Elemwise{Composite{exp(-(x*x)) * k}}(x)
void fused_1(hp_index n, const double* __restrict x, double* __restrict out) {
  const double k = @CONSTANT@;
  for (hp_index i = 0; i < n; ++i) {
    double t0 = x[i] * x[i];
    out[i] = hp_exp(-t0) * k;
  }
}

// Elemwise{Composite{max(x, 0) - y}}(x, y), broadcasting y along rows
void fused_2(hp_index rows, hp_index cols, const double* __restrict x,
             const double* __restrict y, double* __restrict out) {
  for (hp_index r = 0; r < rows; ++r) {
    for (hp_index j = 0; j < cols; ++j) {
      double v = x[r * cols + j];
      double relu = v > 0.0 ? v : 0.0;
      out[r * cols + j] = relu - y[j];
    }
  }
}

// Sum{axis=None}(x)
double reduce_sum(hp_index n, const double* __restrict x) {
  double acc0 = 0.0;
  double acc1 = 0.0;
  hp_index i = 0;
  for (; i + 1 < n; i += 2) {
    acc0 += x[i];
    acc1 += x[i + 1];
  }
  if (i < n) acc0 += x[i];
  return acc0 + acc1;
}

}  // namespace

extern "C" double hypatia_kernel_entry(hp_index n, const double* a, const double* b,
                                       const double* c, double* t0, double* t1,
                                       double* t2) {
  fused_0(n, a, b, c, t0);
  fused_1(n, t0, t1);
  fused_2(n / 4, 4, t1, c, t2);
  double total = reduce_sum(n, t2);
  for (hp_index i = 0; i < n; ++i)
    t2[i] = hp_softplus(t2[i]);
  hypatia_runtime_note(n, total);
  return total;
}
)";
  auto replace = [&](const std::string& key, const std::string& value) {
    for (auto at = source.find(key); at != std::string::npos; at = source.find(key))
      source.replace(at, key.size(), value);
  };
  replace("@VARIANT@", std::to_string(variant));
  replace("@CONSTANT@", std::to_string(1.0 + variant / 1000.0));
  return source;
}

double runtime_notes = 0;
extern "C" void runtime_note(long, double value) { runtime_notes += value; }
const std::vector<jit::HostSymbol> kRuntime = {
    {"hypatia_runtime_note", reinterpret_cast<void*>(&runtime_note)}};

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double minimum(const std::vector<double>& values) {
  return *std::min_element(values.begin(), values.end());
}

struct PhaseSamples {
  std::vector<double> frontend, optimize, codegen, link, total, wall;
  void add(const jit::CompileTimings& t, double wall_ms) {
    frontend.push_back(t.frontend_ms);
    optimize.push_back(t.optimize_ms);
    codegen.push_back(t.codegen_ms);
    link.push_back(t.link_ms);
    total.push_back(t.total_ms());
    wall.push_back(wall_ms);
  }
};

void print_header() {
  std::printf("%-30s %9s %9s %9s %9s %9s %9s\n", "ms", "frontend", "optimize", "codegen", "link",
              "sum", "wall");
}

void print_row(const char* label, double f, double o, double c, double l, double s, double w) {
  std::printf("%-30s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", label, f, o, c, l, s, w);
}

// Checks the compiled code runs and gives the same answer for every variant.
void run_once(const jit::Module& module) {
  constexpr long n = 64;
  std::vector<double> a(n, 0.5), b(n, -1.0), c(n, 0.25), t0(n), t1(n), t2(n);
  auto* entry = module.function<double(long, const double*, const double*, const double*,
                                       double*, double*, double*)>("hypatia_kernel_entry");
  double total = entry(n, a.data(), b.data(), c.data(), t0.data(), t1.data(), t2.data());
  if (!(total > 0 && total < 1e6)) {
    std::fprintf(stderr, "bench_jit_latency: kernel returned %g\n", total);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
  auto init_start = std::chrono::steady_clock::now();
  if (!jit::available()) {  // initialises LLVM's native target and the ORC JIT
    std::printf("bench_jit_latency: this build has no JIT (HYPATIA_WITH_CLANG=OFF)\n");
    return 0;
  }
  double init_ms = milliseconds_since(init_start);
  const std::string sample = generated_source(0);
  std::printf("LLVM %s, %s, cpu %s; %ld lines of source, %d warm repetitions\n",
              jit::llvm_version().c_str(), jit::target_triple().c_str(), jit::host_cpu().c_str(),
              static_cast<long>(std::count(sample.begin(), sample.end(), '\n')), repetitions);
  std::printf("init (LLVM target + ORC LLJIT): %.2f ms\n", init_ms);
  print_header();

  int variant = 0;
  {
    auto start = std::chrono::steady_clock::now();
    auto module = jit::compile(generated_source(variant++), {}, kRuntime);
    double wall = milliseconds_since(start);
    const jit::CompileTimings& t = module->timings();
    print_row("cold: first compile, O2", t.frontend_ms, t.optimize_ms, t.codegen_ms, t.link_ms,
              t.total_ms(), wall);
    run_once(*module);
  }

  for (int level : {2, 0, 1, 3}) {
    PhaseSamples samples;
    for (int r = 0; r < repetitions; ++r) {
      auto start = std::chrono::steady_clock::now();
      auto module = jit::compile(generated_source(variant++), {.opt_level = level}, kRuntime);
      samples.add(module->timings(), milliseconds_since(start));
      run_once(*module);
    }
    std::string label = "warm O" + std::to_string(level);
    print_row((label + " min").c_str(), minimum(samples.frontend), minimum(samples.optimize),
              minimum(samples.codegen), minimum(samples.link), minimum(samples.total),
              minimum(samples.wall));
    print_row((label + " median").c_str(), median(samples.frontend), median(samples.optimize),
              median(samples.codegen), median(samples.link), median(samples.total),
              median(samples.wall));
  }

  // The disk-cache hit: object bytes compiled earlier, linked again.
  jit::ObjectCode cached = jit::compile_to_object(generated_source(variant++));
  std::printf("object size: %zu bytes\n", cached.bytes.size());
  std::vector<double> loads;
  for (int r = 0; r < repetitions; ++r) {
    jit::ObjectCode from_disk{cached.bytes, {}};
    auto start = std::chrono::steady_clock::now();
    auto module = jit::load_object(from_disk, kRuntime);
    module->lookup("hypatia_kernel_entry");
    loads.push_back(milliseconds_since(start));
    run_once(*module);
  }
  std::printf("load_object of cached bytes: min %.3f ms, median %.3f ms\n", minimum(loads),
              median(loads));
  return 0;
}
