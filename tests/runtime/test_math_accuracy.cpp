// Accuracy of codegen_templates/math.h, the inline math every generated
// translation unit gets: each hp_* function, float64 and float32, is JIT-compiled
// in a vectorised loop and compared with glibc (long double references for
// float64, double references for float32) over millions of points, with the
// maximum error in ulp held to the bound math.h documents, every special value
// exact, and the loops free of libm calls.
//
// Without Clang (HYPATIA_WITH_CLANG=OFF) there is nothing to compile and every
// test case says it skips.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/cpu/jit.hpp"

namespace jit = hypatia::jit;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

constexpr std::size_t kPoints = 400000;  // per interval: 2.0-2.4 million per function and dtype
constexpr std::uint32_t kFloatStride = 17;

const char* const kUnaryFunctions[] = {
    "exp",     "expm1",   "log",     "log1p",   "tanh",    "sigmoid", "softplus", "erf",
    "sin",     "cos",     "tan",     "arcsin",  "arccos",  "arctan",  "sinh",     "cosh",
    "arcsinh", "arccosh", "arctanh", "exp2",    "log2",    "log10",   "erfc",     "erfinv",
    "erfcinv", "gammaln", "psi"};

// Functions of two arguments besides pow, compiled as run_NAME_f64(n, x, y, out).
const char* const kBinaryFunctions[] = {"arctan2", "hypot", "logaddexp"};

bool skip_without_jit() {
  if (jit::available()) return false;
  MESSAGE("skipped: this build has no JIT (HYPATIA_WITH_CLANG=OFF)");
  return true;
}

// The header is read from the source tree: ../../codegen_templates/math.h
// from this file (CMake passes sources by absolute path).
std::string math_header() {
  std::filesystem::path path =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
      "codegen_templates" / "math.h";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// math.h plus one extern "C" loop per function and dtype:
//   void run_exp_f64(long n, const double* x, double* out)
//   void run_pow_f32(long n, const float* x, const float* y, float* out)
std::string driver_source() {
  std::string source = math_header();
  for (const char* type : {"double", "float"}) {
    std::string suffix = std::string(type) == "double" ? "f64" : "f32";
    for (const char* name : kUnaryFunctions) {
      source += "extern \"C\" void run_" + std::string(name) + "_" + suffix + "(long n, const " +
                type + "* __restrict x, " + type + "* __restrict out) {\n" +
                "  for (long i = 0; i < n; ++i) out[i] = hp_" + name + "(x[i]);\n}\n";
    }
    for (const char* name : kBinaryFunctions) {
      source += "extern \"C\" void run_" + std::string(name) + "_" + suffix + "(long n, const " +
                type + "* __restrict x, const " + type + "* __restrict y, " + type +
                "* __restrict out) {\n  for (long i = 0; i < n; ++i) out[i] = hp_" + name +
                "(x[i], y[i]);\n}\n";
    }
    source +=
        "extern \"C\" void run_pow_" + suffix + "(long n, const " + type +
        "* __restrict x, const " + type + "* __restrict y, " + type +
        "* __restrict out) {\n  for (long i = 0; i < n; ++i) out[i] = hp_pow(x[i], y[i]);\n}\n";
  }
  return source;
}

// The compiled drivers, once per set of options (compiling takes ~1 s).
const jit::Module& math_module(const jit::CompileOptions& options = {}) {
  static std::map<std::string, std::shared_ptr<jit::Module>> modules;
  std::string key = jit::compile_fingerprint(options);
  auto& module = modules[key];
  if (!module) module = jit::compile(driver_source(), options);
  return *module;
}

// The unsigned integer type with T's bits.
template <typename T>
using BitsOf = std::conditional_t<std::is_same_v<T, double>, std::uint64_t, std::uint32_t>;

template <typename T>
std::string suffix() {
  return std::is_same_v<T, double> ? "f64" : "f32";
}

// doctest's messages take no stream manipulators: hex floats are formatted here.
std::string hex(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%a", v);
  return text;
}

template <typename T>
using UnaryDriver = void(long, const T*, T*);
template <typename T>
using BinaryDriver = void(long, const T*, const T*, T*);

template <typename T>
std::vector<T> run_unary(const jit::Module& module, const std::string& name,
                         const std::vector<T>& x) {
  std::vector<T> out(x.size());
  auto* run = module.function<UnaryDriver<T>>("run_" + name + "_" + suffix<T>());
  run(static_cast<long>(x.size()), x.data(), out.data());
  return out;
}

template <typename T>
std::vector<T> run_binary(const jit::Module& module, const std::string& name,
                          const std::vector<T>& x, const std::vector<T>& y) {
  std::vector<T> out(x.size());
  auto* run = module.function<BinaryDriver<T>>("run_" + name + "_" + suffix<T>());
  run(static_cast<long>(x.size()), x.data(), y.data(), out.data());
  return out;
}

template <typename T>
std::vector<T> run_pow(const jit::Module& module, const std::vector<T>& x,
                       const std::vector<T>& y) {
  std::vector<T> out(x.size());
  auto* run = module.function<BinaryDriver<T>>(std::string("run_pow_") + suffix<T>());
  run(static_cast<long>(x.size()), x.data(), y.data(), out.data());
  return out;
}

// ---- references ----------------------------------------------------------------
// float64 results are compared with long double libm, float32 results with
// double libm; R is the reference type.

template <typename R>
using ReferenceFn = R (*)(R);

// y >= 0 with erfc(y) = t (0 < t <= 1), by bisection on erfc.
template <typename R>
R erfc_root(R t) {
  R lo = 0, hi = 28;
  for (int i = 0; i < 200; ++i) {
    R mid = (lo + hi) / 2;
    (std::erfc(mid) > t ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// y >= 0 with erf(y) = a (0 <= a <= 1/2), by Newton's method from below
// (erf is concave there, so the iterates rise monotonically to the root).
template <typename R>
R erf_root(R a) {
  const R two_over_sqrt_pi = static_cast<R>(1.12837916709551257389615890312154517L);
  R y = a / two_over_sqrt_pi;
  for (int i = 0; i < 60; ++i) y -= (std::erf(y) - a) / (two_over_sqrt_pi * std::exp(-y * y));
  return y;
}

template <typename R>
R erfinv_reference(R x) {
  if (std::isnan(x) || std::fabs(x) > 1) return std::nan("");
  if (std::fabs(x) == 1) return std::copysign(R(kInf), x);
  R a = std::fabs(x);
  return std::copysign(a <= R(0.5) ? erf_root(a) : erfc_root(1 - a), x);
}

template <typename R>
R erfcinv_reference(R z) {
  if (std::isnan(z) || z < 0 || z > 2) return std::nan("");
  if (z == 0) return kInf;
  if (z == 2) return -kInf;
  R t = z > 1 ? 2 - z : z;
  R y = t >= R(0.5) ? erf_root(1 - t) : erfc_root(t);  // 1 - t is exact there
  return z > 1 ? -y : y;
}

// digamma by recurrence to 30 and the asymptotic series: its absolute error is
// a few ulp of R, so it is no reference within ~0.05 of the root at 1.4616
// (tested against mpmath's values there instead).
template <typename R>
R psi_reference(R x) {
  if (std::isnan(x) || (x <= 0 && std::floor(x) == x)) return std::nan("");
  if (std::isinf(x)) return x > 0 ? x : std::nan("");
  R acc = 0;
  if (x < 0) {
    // pi cot(pi x) = pi cot(pi f), f = x - floor(x) exact, and near f = 1 as
    // -pi cot(pi (1 - f)), so that pi times the argument keeps its accuracy.
    const R pi = static_cast<R>(3.14159265358979323846264338327950288L);
    acc = -pi / std::tan(pi * (x - std::nearbyint(x)));  // x - nearbyint(x) is exact
    x = 1 - x;
  }
  for (; x < 30; x += 1) acc -= 1 / x;
  R u = 1 / (x * x);
  R series = u * (R(1) / 12 - u * (R(1) / 120 - u * (R(1) / 252 - u * (R(1) / 240 - u * (R(1) / 132)))));
  return acc + std::log(x) - R(0.5) / x - series;
}

template <typename R>
ReferenceFn<R> reference(const std::string& name) {
  if (name == "exp") return [](R x) -> R { return std::exp(x); };
  if (name == "expm1") return [](R x) -> R { return std::expm1(x); };
  if (name == "log") return [](R x) -> R { return std::log(x); };
  if (name == "log1p") return [](R x) -> R { return std::log1p(x); };
  if (name == "tanh") return [](R x) -> R { return std::tanh(x); };
  if (name == "sigmoid")
    return
        [](R x) -> R { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); };
  if (name == "softplus")
    return [](R x) -> R { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); };
  if (name == "erf") return [](R x) -> R { return std::erf(x); };
  if (name == "sin") return [](R x) -> R { return std::sin(x); };
  if (name == "cos") return [](R x) -> R { return std::cos(x); };
  if (name == "tan") return [](R x) -> R { return std::tan(x); };
  if (name == "arcsin") return [](R x) -> R { return std::asin(x); };
  if (name == "arccos") return [](R x) -> R { return std::acos(x); };
  if (name == "arctan") return [](R x) -> R { return std::atan(x); };
  if (name == "sinh") return [](R x) -> R { return std::sinh(x); };
  if (name == "cosh") return [](R x) -> R { return std::cosh(x); };
  if (name == "arcsinh") return [](R x) -> R { return std::asinh(x); };
  if (name == "arccosh") return [](R x) -> R { return std::acosh(x); };
  if (name == "arctanh") return [](R x) -> R { return std::atanh(x); };
  if (name == "exp2") return [](R x) -> R { return std::exp2(x); };
  if (name == "log2") return [](R x) -> R { return std::log2(x); };
  if (name == "log10") return [](R x) -> R { return std::log10(x); };
  if (name == "erfc") return [](R x) -> R { return std::erfc(x); };
  if (name == "erfinv") return [](R x) -> R { return erfinv_reference(x); };
  if (name == "erfcinv") return [](R x) -> R { return erfcinv_reference(x); };
  if (name == "gammaln") return [](R x) -> R { return std::lgamma(x); };
  if (name == "psi") return [](R x) -> R { return psi_reference(x); };
  FAIL("no reference for " << name);
  return nullptr;
}

template <typename T>
using Reference = std::conditional_t<std::is_same_v<T, double>, long double, double>;

// |got - want| in units of the last place of `want` rounded to T (subnormal
// ulp below the normal range). A result that overflows to the same infinity
// as the correctly rounded one, or a nan where one is due, is no error.
template <typename T, typename R>
double ulp_error(T got, R want) {
  constexpr int digits = std::numeric_limits<T>::digits;
  constexpr int min_exponent = std::numeric_limits<T>::min_exponent;
  if (std::isnan(want)) return std::isnan(got) ? 0 : kInf;
  if (std::isnan(got)) return kInf;
  T rounded = static_cast<T>(want);
  if (std::isinf(got)) return got == rounded ? 0 : kInf;
  int exponent = min_exponent;
  if (want != 0) exponent = std::ilogb(want) + 1;  // want = m 2^exponent, m in [1/2, 1)
  exponent = std::max(exponent, min_exponent);
  R ulp = std::ldexp(R(1), exponent - digits);
  return static_cast<double>(std::fabs(static_cast<R>(got) - want) / ulp);
}

struct WorstCase {
  double ulp = 0;
  double x = 0, y = 0;
  long points = 0;
  void add(double error, double at_x, double at_y = 0) {
    ++points;
    if (error > ulp || std::isnan(error)) {
      ulp = std::isnan(error) ? kInf : error;
      x = at_x;
      y = at_y;
    }
  }
};

template <typename T>
void measure_unary(const jit::Module& module, const std::string& name, const std::vector<T>& x,
                   WorstCase& worst) {
  using R = Reference<T>;
  ReferenceFn<R> want = reference<R>(name);
  std::vector<T> got = run_unary(module, name, x);
  for (std::size_t i = 0; i < x.size(); ++i)
    worst.add(ulp_error(got[i], want(static_cast<R>(x[i]))), x[i]);
}

// ---- sampling ------------------------------------------------------------------

using Rng = std::mt19937_64;

template <typename T>
std::vector<T> uniform(Rng& rng, double lo, double hi, std::size_t n) {
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<T> out(n);
  for (T& v : out) v = static_cast<T>(dist(rng));
  return out;
}

// Random bit patterns within [lo, hi]: every binade equally likely, which
// covers tiny, subnormal and huge magnitudes that uniform sampling never hits.
template <typename T>
std::vector<T> random_bits(Rng& rng, double lo, double hi, std::size_t n) {
  std::vector<T> out;
  out.reserve(n);
  while (out.size() < n) {
    T v = std::bit_cast<T>(static_cast<BitsOf<T>>(rng()));
    if (v >= lo && v <= hi) out.push_back(v);
  }
  return out;
}

template <typename T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

struct Interval {
  double lo, hi;
};

// Where each function is measured: its whole domain by bit patterns, plus
// uniform points where its method changes or results become subnormal.
struct Domain {
  Interval bits;
  std::vector<Interval> uniform;
};

template <typename T>
Domain domain_of(const std::string& name) {
  const bool f64 = std::is_same_v<T, double>;
  const double max = std::numeric_limits<T>::max();
  if (name == "exp")
    return f64 ? Domain{{-746, 710}, {{-1, 1}, {-745.2, -700}, {700, 709.8}, {-40, 40}}}
               : Domain{{-104, 89}, {{-1, 1}, {-104, -85}, {80, 88.8}, {-10, 10}}};
  if (name == "expm1")
    return f64 ? Domain{{-50, 710}, {{-1.1, 1.1}, {-0.36, 0.36}, {-40, 40}, {700, 709.8}}}
               : Domain{{-20, 89}, {{-1.1, 1.1}, {-0.36, 0.36}, {-20, 20}, {80, 88.8}}};
  if (name == "log") return Domain{{0, max}, {{0.5, 2}, {0.7, 1.5}, {0, 10}, {1e-5, 1e5}}};
  if (name == "log1p") return Domain{{-1, max}, {{-0.3, 0.5}, {-1, 1}, {0, 100}, {-1e-6, 1e-6}}};
  if (name == "tanh")
    return f64 ? Domain{{-25, 25}, {{-0.6, 0.6}, {-3, 3}, {0.5, 0.6}, {-20, 20}}}
               : Domain{{-10, 10}, {{-0.6, 0.6}, {-3, 3}, {0.5, 0.6}, {-10, 10}}};
  if (name == "sigmoid" || name == "softplus")
    return f64 ? Domain{{-750, 750}, {{-5, 5}, {-40, 40}, {-745, -700}}}
               : Domain{{-110, 110}, {{-5, 5}, {-20, 20}, {-104, -85}}};
  if (name == "erf")
    return f64 ? Domain{{-7, 7}, {{-1.1, 1.1}, {0.9, 6.1}, {-6.1, -0.9}}}
               : Domain{{-5, 5}, {{-1.1, 1.1}, {0.9, 4.1}, {-4.1, -0.9}}};
  if (name == "sin" || name == "cos" || name == "tan")  // the documented range |x| < 2^33
    return Domain{{-0x1p33, 0x1p33}, {{-4, 4}, {-1e5, 1e5}, {-1e9, 1e9}}};
  if (name == "arcsin" || name == "arccos" || name == "arctanh")
    return Domain{{-1, 1}, {{-1, 1}, {-0.6, 0.6}, {0.4, 1}, {-1, -0.99}}};
  if (name == "arctan") return Domain{{-max, max}, {{-1.1, 1.1}, {0.3, 0.5}, {-40, 40}}};
  if (name == "sinh" || name == "cosh")
    return f64 ? Domain{{-711, 711}, {{-1.1, 1.1}, {-25, 25}, {700, 710.5}}}
               : Domain{{-90, 90}, {{-1.1, 1.1}, {-25, 25}, {80, 89.4}}};
  if (name == "arcsinh") return Domain{{-max, max}, {{-2.2, 2.2}, {-1e9, 1e9}, {-0.1, 0.1}}};
  if (name == "arccosh") return Domain{{1, max}, {{1, 1.1}, {1, 2.5}, {1, 1e9}}};
  if (name == "exp2")
    return f64 ? Domain{{-1075, 1024}, {{-1, 1}, {-1074, -1000}, {1000, 1024}, {-60, 60}}}
               : Domain{{-150, 128}, {{-1, 1}, {-149, -120}, {120, 128}, {-30, 30}}};
  if (name == "log2" || name == "log10") return Domain{{0, max}, {{0.5, 2}, {0.7, 1.5}, {0, 10}, {1e-5, 1e5}}};
  if (name == "erfc")
    return f64 ? Domain{{-7, 27.3}, {{-1.1, 1.1}, {0.4, 4.1}, {3.9, 27.3}, {-6, -0.4}}}
               : Domain{{-5, 10}, {{-1.1, 1.1}, {0.4, 4.1}, {3.9, 10}, {-4, -0.4}}};
  if (name == "erfinv") return Domain{{-1, 1}, {{-1, 1}, {-0.55, 0.55}, {0.99, 1}, {-1e-3, 1e-3}}};
  if (name == "erfcinv")  // subnormal arguments included (scaled by 2^600 inside)
    return Domain{{f64 ? 0x1p-1074 : 0x1p-149, 2}, {{0, 2}, {0.45, 0.55}, {1.95, 2}, {1e-10, 1e-3}}};
  if (name == "gammaln")  // x > 0 here; negative arguments: their own test case
    return Domain{{0, max}, {{0, 3}, {0.9, 1.1}, {1.9, 2.1}, {2.9, 9}, {1, 200}}};
  // psi, x > 0 away from its root (see psi_reference); negatives: their own test case
  return Domain{{1.52, max}, {{0, 1.41}, {1.52, 10}, {9, 11}, {0, 0.1}}};
}

template <typename T>
std::vector<T> sample(const std::string& name, std::size_t per_interval, std::uint64_t seed) {
  Rng rng(seed);
  Domain domain = domain_of<T>(name);
  std::vector<T> x = random_bits<T>(rng, domain.bits.lo, domain.bits.hi, 2 * per_interval);
  for (const Interval& interval : domain.uniform)
    append(x, uniform<T>(rng, interval.lo, interval.hi, per_interval));
  return x;
}

// ---- what each test case checks ---------------------------------------------------

struct Bound {
  double f64, f32;
};

// The documented bounds (the header comment of math.h).
Bound documented_bound(const std::string& name) {
  if (name == "exp" || name == "log") return {1, 1};
  if (name == "arcsin" || name == "arccos" || name == "exp2" || name == "log2" || name == "log10")
    return {1, 1};
  if (name == "erfinv" || name == "erfcinv" || name == "gammaln" || name == "arccosh") return {3, 1};
  if (name == "psi") return {4, 1};
  if (name == "erfc") return {4, 1};
  if (name == "tan" || name == "arctan" || name == "sinh" || name == "cosh" || name == "arcsinh" ||
      name == "arccosh" || name == "arctanh")
    return {2, 1};
  return {2, 2};
}

template <typename T>
WorstCase sweep_unary(const jit::Module& module, const std::string& name,
                      std::size_t per_interval) {
  WorstCase worst;
  measure_unary(module, name, sample<T>(name, per_interval, 20240601), worst);
  return worst;
}

template <typename T>
void check_unary_accuracy(const std::string& name, std::size_t per_interval) {
  WorstCase worst = sweep_unary<T>(math_module(), name, per_interval);
  double bound =
      std::is_same_v<T, double> ? documented_bound(name).f64 : documented_bound(name).f32;
  MESSAGE("hp_" << name << " " << suffix<T>() << ": max " << worst.ulp << " ulp over "
                << worst.points << " points (worst at x = " << hex(worst.x) << ")");
  CHECK_MESSAGE(worst.ulp <= bound,
                "hp_" << name << " " << suffix<T>() << " at x = " << hex(worst.x));
}

void check_accuracy_both(const std::string& name) {
  check_unary_accuracy<double>(name, kPoints);
  check_unary_accuracy<float>(name, kPoints);
}

// Every case runs through a 67-element array (vector body and scalar tail).
template <typename T>
void check_exact(const std::string& name, const std::vector<std::pair<T, T>>& cases) {
  std::vector<T> x;
  for (int i = 0; i < 67; ++i) x.push_back(cases[i % cases.size()].first);
  std::vector<T> got = run_unary(math_module(), name, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    T want = cases[i % cases.size()].second;
    bool same = std::isnan(want)
                    ? std::isnan(got[i])
                    : std::bit_cast<BitsOf<T>>(got[i]) == std::bit_cast<BitsOf<T>>(want);
    CHECK_MESSAGE(same, "hp_" << name << "(" << hex(x[i]) << ") = " << hex(got[i]) << ", expected "
                              << hex(want));
  }
}

// Special values shared by both dtypes, written once as doubles.
void check_exact_both(const std::string& name,
                      const std::vector<std::pair<double, double>>& cases) {
  check_exact<double>(name, cases);
  std::vector<std::pair<float, float>> narrowed;
  for (auto [x, y] : cases) narrowed.push_back({static_cast<float>(x), static_cast<float>(y)});
  check_exact<float>(name, narrowed);
}

// Exhaustive over float32 with a stride: every `stride`-th bit pattern in
// [lo, hi] (an odd stride, so the low mantissa bits take every value).
WorstCase sweep_float_bits(const std::string& name, float lo, float hi, std::uint32_t stride) {
  WorstCase worst;
  std::vector<float> x;
  auto flush = [&] {
    measure_unary(math_module(), name, x, worst);
    x.clear();
  };
  for (std::uint64_t b = 0; b <= 0xffffffffu; b += stride) {
    float v = std::bit_cast<float>(static_cast<std::uint32_t>(b));
    if (v >= lo && v <= hi) x.push_back(v);
    if (x.size() == (1u << 20)) flush();
  }
  flush();
  return worst;
}

}  // namespace

TEST_CASE("hp_exp: <= 1 ulp, overflow and underflow at libm's thresholds") {
  if (skip_without_jit()) return;
  check_accuracy_both("exp");
  check_exact_both("exp", {{0.0, 1.0},
                           {-0.0, 1.0},
                           {kInf, kInf},
                           {-kInf, 0.0},
                           {kNan, kNan},
                           {1e-310, 1.0},
                           {-1e-310, 1.0}});
  // At the thresholds, as glibc (correctly rounded there).
  check_exact<double>("exp", {{710.0, kInf},
                              {709.782712893384, std::exp(709.782712893384)},  // largest finite
                              {-745.1332191019411, 0x1p-1074},                 // smallest subnormal
                              {-745.2, 0.0},  // e^-745.2 < 2^-1075: rounds to 0, as glibc
                              {-746.0, 0.0},
                              {-708.5, std::exp(-708.5)}});  // subnormal result
  check_exact<float>("exp", {{88.72283f, std::exp(88.72283f)},
                             {88.72284f, std::numeric_limits<float>::infinity()},
                             {-103.27893f, 0x1p-149f},
                             {-104.0f, 0.0f},
                             {-88.0f, std::exp(-88.0f)}});
}

TEST_CASE("hp_exp over float32, every 17th bit pattern of its domain: <= 1 ulp") {
  if (skip_without_jit()) return;
  WorstCase worst = sweep_float_bits("exp", -104.0f, 89.0f, kFloatStride);
  MESSAGE("hp_exp f32 strided-exhaustive: max " << worst.ulp << " ulp over " << worst.points
                                                << " points (x = " << worst.x << ")");
  CHECK(worst.ulp <= 1.0);
}

TEST_CASE("hp_log over float32, every 17th bit pattern of the positive floats: <= 1 ulp") {
  if (skip_without_jit()) return;
  WorstCase worst = sweep_float_bits("log", 0.0f, std::numeric_limits<float>::max(), kFloatStride);
  MESSAGE("hp_log f32 strided-exhaustive: max " << worst.ulp << " ulp over " << worst.points
                                                << " points (x = " << worst.x << ")");
  CHECK(worst.ulp <= 1.0);
}

TEST_CASE("hp_expm1: <= 2 ulp, exact near 0 and at the limits") {
  if (skip_without_jit()) return;
  check_accuracy_both("expm1");
  check_exact_both("expm1", {{0.0, 0.0},
                             {-0.0, -0.0},
                             {kInf, kInf},
                             {-kInf, -1.0},
                             {kNan, kNan},
                             {-800.0, -1.0},
                             {800.0, kInf}});
  check_exact<double>("expm1",
                      {{1e-310, 1e-310}, {-1e-300, -1e-300}, {0x1p-60, 0x1p-60}, {710.0, kInf}});
}

TEST_CASE("hp_log: <= 1 ulp, subnormal arguments, log(0) = -inf, log(negative) = nan") {
  if (skip_without_jit()) return;
  check_accuracy_both("log");
  check_exact_both("log", {{1.0, 0.0},
                           {0.0, -kInf},
                           {-0.0, -kInf},
                           {kInf, kInf},
                           {-kInf, kNan},
                           {-1.0, kNan},
                           {kNan, kNan}});
  check_exact<double>("log", {{0x1p-1074, std::log(0x1p-1074)}, {0x1p1023, std::log(0x1p1023)}});
  check_exact<float>("log", {{0x1p-149f, std::log(0x1p-149f)}, {2.0f, std::log(2.0f)}});
}

TEST_CASE("hp_log1p: <= 2 ulp, exact near 0, log1p(-1) = -inf") {
  if (skip_without_jit()) return;
  check_accuracy_both("log1p");
  check_exact_both("log1p", {{0.0, 0.0},
                             {-0.0, -0.0},
                             {-1.0, -kInf},
                             {-2.0, kNan},
                             {kInf, kInf},
                             {-kInf, kNan},
                             {kNan, kNan}});
  check_exact<double>("log1p", {{1e-310, 1e-310}, {-0x1p-60, -0x1p-60}});
}

TEST_CASE("hp_tanh: <= 2 ulp, tanh(-0) = -0, tanh(+-big) = +-1") {
  if (skip_without_jit()) return;
  check_accuracy_both("tanh");
  check_exact_both("tanh", {{0.0, 0.0},
                            {-0.0, -0.0},
                            {kInf, 1.0},
                            {-kInf, -1.0},
                            {kNan, kNan},
                            {30.0, 1.0},
                            {-30.0, -1.0},
                            {1e300, 1.0},
                            {-1e300, -1.0}});
  check_exact<double>("tanh", {{1e-310, 1e-310}, {-1e-310, -1e-310}});
}

TEST_CASE("hp_sigmoid: <= 2 ulp, sigmoid(-800) = 0, sigmoid(800) = 1") {
  if (skip_without_jit()) return;
  check_accuracy_both("sigmoid");
  check_exact_both("sigmoid", {{0.0, 0.5},
                               {-0.0, 0.5},
                               {800.0, 1.0},
                               {-800.0, 0.0},
                               {kInf, 1.0},
                               {-kInf, 0.0},
                               {kNan, kNan}});
  check_exact<double>("sigmoid", {{-745.0, 0x1p-1074}, {40.0, 1.0}});
}

TEST_CASE("hp_softplus: <= 2 ulp, softplus(800) = 800, softplus(-800) = 0") {
  if (skip_without_jit()) return;
  check_accuracy_both("softplus");
  check_exact_both("softplus",
                   {{800.0, 800.0}, {-800.0, 0.0}, {kInf, kInf}, {-kInf, 0.0}, {kNan, kNan}});
  check_exact<double>("softplus", {{0.0, 0x1.62e42fefa39efp-1}, {40.0, 40.0}});
}

TEST_CASE("hp_erf: <= 2 ulp, odd, erf(+-inf) = +-1") {
  if (skip_without_jit()) return;
  check_accuracy_both("erf");
  check_exact_both("erf", {{0.0, 0.0},
                           {-0.0, -0.0},
                           {kInf, 1.0},
                           {-kInf, -1.0},
                           {kNan, kNan},
                           {7.0, 1.0},
                           {-7.0, -1.0}});
  check_exact<double>("erf", {{1e-310, std::erf(1e-310)}, {-1e-310, std::erf(-1e-310)}});
}

TEST_CASE("hp_sin and hp_cos: <= 2 ulp below 2^33, nan at infinities") {
  if (skip_without_jit()) return;
  for (std::string name : {"sin", "cos"}) {
    check_accuracy_both(name);
  }
  check_exact_both("sin", {{0.0, 0.0}, {-0.0, -0.0}, {kInf, kNan}, {-kInf, kNan}, {kNan, kNan}});
  check_exact_both("cos", {{0.0, 1.0}, {-0.0, 1.0}, {kInf, kNan}, {-kInf, kNan}, {kNan, kNan}});
  check_exact<double>("sin", {{1e-310, 1e-310}, {-0x1p-30, -0x1p-30}});
}

// Beyond 2^33 the reduction is Payne-Hanek's: random bit patterns up to the
// largest double, and values glibc's own tests single out (1e22, DBL_MAX).
TEST_CASE("hp_sin, hp_cos and hp_tan from 2^33 to the largest double: <= 2 ulp") {
  if (skip_without_jit()) return;
  Rng rng(33);
  std::vector<double> x = random_bits<double>(rng, 0x1p33, std::numeric_limits<double>::max(), kPoints);
  append(x, random_bits<double>(rng, -std::numeric_limits<double>::max(), -0x1p33, kPoints / 4));
  append(x, uniform<double>(rng, 0x1p33, 1e12, kPoints / 4));
  for (double special : {1e22, -1e22, 0x1.fffffffffffffp1023, 0x1p33, 1e10}) x.push_back(special);
  for (std::string name : {"sin", "cos", "tan"}) {
    WorstCase worst;
    measure_unary(math_module(), name, x, worst);
    MESSAGE("hp_" << name << " beyond 2^33: max " << worst.ulp << " ulp (x = " << hex(worst.x) << ")");
    CHECK(worst.ulp <= 2.0);
    std::vector<float> xf = random_bits<float>(rng, -std::numeric_limits<float>::max(), std::numeric_limits<float>::max(), kPoints / 4);
    WorstCase worst32;
    measure_unary(math_module(), name, xf, worst32);
    MESSAGE("hp_" << name << " f32 over all floats: max " << worst32.ulp << " ulp (x = " << hex(worst32.x) << ")");
    CHECK(worst32.ulp <= 1.0);
  }
}

// Multiples of pi/2 rounded to double: the reduction must keep r's low bits.
TEST_CASE("hp_sin and hp_cos near multiples of pi/2 stay within 2 ulp") {
  if (skip_without_jit()) return;
  std::vector<double> x;
  for (long k = 1; k < 200000; k += 7) {
    long double exact = k * 1.57079632679489661923132169163975144L;
    x.push_back(static_cast<double>(exact));
    x.push_back(std::nextafter(static_cast<double>(exact), 0.0));
  }
  for (std::string name : {"sin", "cos"}) {
    WorstCase worst;
    measure_unary(math_module(), name, x, worst);
    MESSAGE("hp_" << name << " near k pi/2: max " << worst.ulp << " ulp (x = " << worst.x << ")");
    CHECK(worst.ulp <= 2.0);
  }
}

TEST_CASE("hp_tan: <= 2 ulp below 2^33, odd, nan at infinities") {
  if (skip_without_jit()) return;
  check_accuracy_both("tan");
  check_exact_both("tan", {{0.0, 0.0}, {-0.0, -0.0}, {kInf, kNan}, {-kInf, kNan}, {kNan, kNan}});
  check_exact<double>("tan", {{1e-310, 1e-310}, {-0x1p-30, -0x1p-30}});
}

TEST_CASE("hp_arcsin, hp_arccos: <= 1 ulp, exact at +-1, nan outside [-1, 1]") {
  if (skip_without_jit()) return;
  check_accuracy_both("arcsin");
  check_accuracy_both("arccos");
  const double half_pi = 0x1.921fb54442d18p0, pi = 0x1.921fb54442d18p1;
  check_exact_both("arcsin", {{0.0, 0.0}, {-0.0, -0.0}, {1.0, half_pi}, {-1.0, -half_pi}, {1.0000001, kNan},
                              {-2.0, kNan}, {kInf, kNan}, {kNan, kNan}});
  check_exact_both("arccos", {{1.0, 0.0}, {-1.0, pi}, {0.0, half_pi}, {-0.0, half_pi}, {1.0000001, kNan},
                              {-kInf, kNan}, {kNan, kNan}});
  check_exact<double>("arcsin", {{1e-310, 1e-310}, {-0x1p-40, -0x1p-40}});
}

TEST_CASE("hp_arctan: <= 2 ulp, odd, +-pi/2 at +-inf") {
  if (skip_without_jit()) return;
  check_accuracy_both("arctan");
  const double half_pi = 0x1.921fb54442d18p0;
  check_exact_both("arctan", {{0.0, 0.0}, {-0.0, -0.0}, {kInf, half_pi}, {-kInf, -half_pi}, {kNan, kNan},
                              {1e300, half_pi}});
  check_exact<double>("arctan", {{1e-310, 1e-310}, {1.0, 0x1.921fb54442d18p-1}});
}

TEST_CASE("hp_sinh and hp_cosh: <= 2 ulp, overflow where the result does") {
  if (skip_without_jit()) return;
  check_accuracy_both("sinh");
  check_accuracy_both("cosh");
  check_exact_both("sinh", {{0.0, 0.0}, {-0.0, -0.0}, {kInf, kInf}, {-kInf, -kInf}, {kNan, kNan},
                            {720.0, kInf}, {-720.0, -kInf}});
  check_exact_both("cosh", {{0.0, 1.0}, {-0.0, 1.0}, {kInf, kInf}, {-kInf, kInf}, {kNan, kNan}, {720.0, kInf}});
  check_exact<double>("sinh", {{1e-310, 1e-310}, {710.4, std::sinh(710.4)}, {711.0, kInf}});
  check_exact<double>("cosh", {{710.4, std::cosh(710.4)}, {-711.0, kInf}});
}

TEST_CASE("hp_arcsinh, hp_arctanh: <= 2 ulp, hp_arccosh: <= 3 ulp, the domain edges") {
  if (skip_without_jit()) return;
  for (std::string name : {"arcsinh", "arccosh", "arctanh"}) check_accuracy_both(name);
  check_exact_both("arcsinh", {{0.0, 0.0}, {-0.0, -0.0}, {kInf, kInf}, {-kInf, -kInf}, {kNan, kNan}});
  check_exact_both("arccosh", {{1.0, 0.0}, {0.5, kNan}, {-1.0, kNan}, {-3.0, kNan}, {kInf, kInf}, {kNan, kNan}});
  check_exact_both("arctanh", {{0.0, 0.0}, {-0.0, -0.0}, {1.0, kInf}, {-1.0, -kInf}, {1.5, kNan}, {-kInf, kNan},
                               {kNan, kNan}});
  check_exact<double>("arcsinh", {{1e-310, 1e-310}, {1e308, std::asinh(1e308)}});
}

TEST_CASE("hp_exp2, hp_log2, hp_log10: <= 1 ulp, exact powers") {
  if (skip_without_jit()) return;
  for (std::string name : {"exp2", "log2", "log10"}) check_accuracy_both(name);
  check_exact_both("exp2", {{0.0, 1.0}, {-0.0, 1.0}, {10.0, 1024.0}, {-3.0, 0.125}, {kInf, kInf}, {-kInf, 0.0},
                            {kNan, kNan}, {2000.0, kInf}, {-2000.0, 0.0}});
  check_exact<double>("exp2", {{-1074.0, 0x1p-1074}, {1023.0, 0x1p1023}, {1024.0, kInf}, {-1075.5, 0.0}});
  check_exact<float>("exp2", {{-149.0f, 0x1p-149f}, {127.0f, 0x1p127f}});
  check_exact_both("log2", {{1.0, 0.0}, {0.25, -2.0}, {1024.0, 10.0}, {0.0, -kInf}, {-0.0, -kInf}, {-1.0, kNan},
                            {kInf, kInf}, {kNan, kNan}});
  check_exact<double>("log2", {{0x1p-1074, -1074.0}, {0x1p1023, 1023.0}});
  check_exact_both("log10", {{1.0, 0.0}, {1000.0, 3.0}, {0.001, std::log10(0.001)}, {0.0, -kInf}, {-2.0, kNan},
                             {kInf, kInf}, {kNan, kNan}});
  check_exact<double>("log10", {{1e22, 22.0}, {1e-300, std::log10(1e-300)}});
}

TEST_CASE("hp_erfc: <= 4 ulp up to its underflow at 27.3 (not 1 - erf), 2 at -inf") {
  if (skip_without_jit()) return;
  check_accuracy_both("erfc");
  check_exact_both("erfc", {{0.0, 1.0}, {-0.0, 1.0}, {kInf, 0.0}, {-kInf, 2.0}, {kNan, kNan}, {30.0, 0.0},
                            {-30.0, 2.0}});
}

TEST_CASE("hp_erfinv and hp_erfcinv: <= 3 ulp, infinities at the ends of the domain") {
  if (skip_without_jit()) return;
  check_accuracy_both("erfinv");
  check_accuracy_both("erfcinv");
  check_exact_both("erfinv", {{0.0, 0.0}, {-0.0, -0.0}, {1.0, kInf}, {-1.0, -kInf}, {1.5, kNan}, {-kInf, kNan},
                              {kNan, kNan}});
  check_exact_both("erfcinv", {{1.0, 0.0}, {0.0, kInf}, {2.0, -kInf}, {-0.5, kNan}, {2.5, kNan}, {kInf, kNan},
                               {kNan, kNan}});
  check_exact<double>("erfinv", {{1e-310, 1e-310 * 0x1.c5bf891b4ef6bp-1}});
}

TEST_CASE("hp_gammaln: <= 3 ulp for x > 0 (zeros at 1 and 2 included), inf at the poles") {
  if (skip_without_jit()) return;
  check_accuracy_both("gammaln");
  check_exact_both("gammaln", {{1.0, 0.0}, {2.0, 0.0}, {0.0, kInf}, {-0.0, kInf}, {-1.0, kInf}, {-2.0, kInf},
                               {-1e10, kInf}, {kInf, kInf}, {-kInf, kInf}, {kNan, kNan}});
  check_exact<double>("gammaln", {{1e306, kInf}, {1e-310, std::lgamma(1e-310)}});
}

// lgamma(x) for x < 0 is log(pi) - log|sin(pi x) x| - lgamma(-x): its error is
// absolute, a few ulp of the largest term, so relative to lgamma's value it
// grows near lgamma's zeros on the negative axis (-2.457, -2.747, -3.144, ...).
TEST_CASE("hp_gammaln for x < 0: within 4 ulp of the largest term of the reflection") {
  if (skip_without_jit()) return;
  Rng rng(5);
  std::vector<double> x = uniform<double>(rng, -200, -0.25, kPoints / 4);
  append(x, uniform<double>(rng, -6, -0.25, kPoints / 4));
  std::vector<double> got = run_unary(math_module(), "gammaln", x);
  double worst = 0, at = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    long double v = x[i];
    long double want = std::lgamma(v);
    long double scale = std::max({std::fabs(want), std::fabs(std::lgamma(-v)), std::fabs(std::log(std::fabs(v))), 1.0L});
    double error = static_cast<double>(std::fabs(got[i] - want) / std::ldexp(1.0L, std::ilogb(scale) - 52));
    if (error > worst) worst = error, at = x[i];
  }
  MESSAGE("hp_gammaln f64 for x < 0: max " << worst << " ulp of the largest term (x = " << hex(at) << ")");
  CHECK(worst <= 4);
}

TEST_CASE("hp_psi: <= 4 ulp for x > 0, nan at 0 and the negative integers") {
  if (skip_without_jit()) return;
  check_accuracy_both("psi");
  check_exact_both("psi", {{0.0, kNan}, {-0.0, kNan}, {-1.0, kNan}, {-5.0, kNan}, {kInf, kInf}, {-kInf, kNan},
                           {kNan, kNan}});
}

// mpmath.digamma at points within 1e-1 .. 1e-15 of the root x0 = 1.46163...
TEST_CASE("hp_psi near its positive root: <= 3 ulp of the tiny result") {
  if (skip_without_jit()) return;
  const std::vector<std::pair<double, long double>> near_root = {
      {0x1.762d86356c069p+0, 1.18943573741059588747e-13L}, {0x1.762d86356bbc2p+0, -1.36962310370808539093e-13L},
      {0x1.762d86356c608p+0, 4.28136325409304625965e-13L}, {0x1.762d8636130d1p+0, 1.47116783977239804881e-10L},
      {0x1.762d8621313f9p+0, -4.55768561719828329615e-9L}, {0x1.762f5530b9423p+0, 2.67034074875732652432e-5L},
      {0x1.762d86356be40p+0, 1.22453746220040690313e-16L}, {0x1.762d80739bedep+0, -3.32055503695764062451e-7L},
      {0x1.762d5250adba7p+0, -2.99310663471446942297e-6L}, {0x1.75df60b4f4987p+0, -1.15450253079147919931e-3L},
      {0x1.78121aefd1be0p+0, 7.13098036090602369288e-3L},  {0x1.762d8698b6cf2p+0, 2.23710065025603478272e-8L},
      {0x1.762d86356be3ep+0, -3.07279056654629284309e-16L}, {0x1.762d86d33e71fp+0, 3.55579959953736719447e-8L},
      {0x1.762d86356bda6p+0, -3.29669720751300583501e-14L}, {0x1.762d86353cd2fp+0, -4.14228967481617287203e-11L},
      {0x1.763538bc27dacp+0, 1.13649436671875078686e-4L},  {0x1.762d86356be2fp+0, -3.5302750782146596606e-15L},
      {0x1.762d86356bd61p+0, -4.77927537743067373235e-14L}, {0x1.761ae0c65921cp+0, -2.7535682390912968065e-4L},
      {0x1.762dc4b036930p+0, 3.60368044547606744693e-6L},  {0x1.762c4d914b174p+0, -1.8032593696878146046e-5L},
      {0x1.762d86356c526p+0, 3.79576518684485469017e-13L}, {0x1.7635c39c80000p+0, 1.21658622048632870267e-4L}};
  std::vector<double> x;
  for (const auto& [point, value] : near_root) x.push_back(point);
  std::vector<double> got = run_unary(math_module(), "psi", x);
  WorstCase worst;
  for (std::size_t i = 0; i < x.size(); ++i) worst.add(ulp_error(got[i], near_root[i].second), x[i]);
  MESSAGE("hp_psi near its root: max " << worst.ulp << " ulp (x = " << hex(worst.x) << ")");
  CHECK(worst.ulp <= 3);
}

// psi(x) for x < 0 is psi(-x) - 1/x - pi cot(pi x): an absolute error of a few
// ulp of the largest term, so near psi's negative roots the relative error grows.
TEST_CASE("hp_psi for x < 0: within 6 ulp of the largest term of the reflection") {
  if (skip_without_jit()) return;
  Rng rng(6);
  std::vector<double> x = uniform<double>(rng, -100, -1e-3, kPoints / 4);
  append(x, uniform<double>(rng, -4, -1e-3, kPoints / 4));
  std::vector<double> got = run_unary(math_module(), "psi", x);
  double worst = 0, at = 0;
  const long double pi = 3.14159265358979323846264338327950288L;
  for (std::size_t i = 0; i < x.size(); ++i) {
    long double v = x[i];
    long double want = psi_reference(v);
    long double scale = std::max({std::fabs(want), std::fabs(psi_reference(-v)), std::fabs(1 / v),
                                  std::fabs(pi / std::tan(pi * (v - std::nearbyint(v)))), 1.0L});
    double error = static_cast<double>(std::fabs(got[i] - want) / std::ldexp(1.0L, std::ilogb(scale) - 52));
    if (error > worst) worst = error, at = x[i];
  }
  MESSAGE("hp_psi f64 for x < 0: max " << worst << " ulp of the largest term (x = " << hex(at) << ")");
  CHECK(worst <= 6);
}

// The functions of two arguments over pairs of random bit patterns and of
// uniform points, against long double (float64) and double (float32).
template <typename T>
WorstCase sweep_binary(const jit::Module& module, const std::string& name, std::size_t n) {
  using R = Reference<T>;
  Rng rng(91);
  const double max = std::numeric_limits<T>::max();
  std::vector<T> x = random_bits<T>(rng, -max, max, n), y = random_bits<T>(rng, -max, max, n);
  append(x, uniform<T>(rng, -10, 10, n));
  append(y, uniform<T>(rng, -10, 10, n));
  append(x, random_bits<T>(rng, -max, max, n));
  for (std::size_t i = 0; i < n; ++i)  // nearby magnitudes: the interesting cancellations
    y.push_back(static_cast<T>(x[2 * n + i] * std::uniform_real_distribution<double>(-2, 2)(rng)));
  std::vector<T> got = run_binary(module, name, x, y);
  WorstCase worst;
  for (std::size_t i = 0; i < x.size(); ++i) {
    R a = x[i], b = y[i];
    if (name == "arctan2") {
      worst.add(ulp_error(got[i], std::atan2(a, b)), x[i], y[i]);
    } else if (name == "hypot") {
      worst.add(ulp_error(got[i], std::hypot(a, b)), x[i], y[i]);
    } else {
      // logaddexp = m + log1p(e^-|a-b|) is near 0 where m is near -log 2:
      // there its error is absolute, measured in ulp of max(|result|, |m|).
      R m = std::max(a, b);
      R want = m + std::log1p(std::exp(-std::fabs(a - b)));
      R scale = std::max(std::fabs(want), std::fabs(m));
      double error = ulp_error(got[i], want);
      if (std::isfinite(want) && error > 0) error *= static_cast<double>(std::fabs(want) / scale);
      worst.add(error, x[i], y[i]);
    }
  }
  return worst;
}

TEST_CASE("hp_arctan2, hp_hypot, hp_logaddexp: <= 2, 1 and 2 ulp over pairs") {
  if (skip_without_jit()) return;
  for (std::string name : kBinaryFunctions) {
    WorstCase f64 = sweep_binary<double>(math_module(), name, kPoints);
    WorstCase f32 = sweep_binary<float>(math_module(), name, kPoints);
    MESSAGE("hp_" << name << ": f64 max " << f64.ulp << " ulp at (" << hex(f64.x) << ", " << hex(f64.y)
                  << "), f32 max " << f32.ulp << " ulp at (" << hex(f32.x) << ", " << hex(f32.y) << ")");
    const double bound = name == "hypot" ? 1 : 2;
    CHECK(f64.ulp <= bound);
    CHECK(f32.ulp <= 1);
  }
}

template <typename T>
void check_binary_exact(const std::string& name, const std::vector<std::array<double, 3>>& cases) {
  std::vector<T> x, y;
  for (int i = 0; i < 67; ++i) {
    x.push_back(static_cast<T>(cases[i % cases.size()][0]));
    y.push_back(static_cast<T>(cases[i % cases.size()][1]));
  }
  std::vector<T> got = run_binary(math_module(), name, x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    T want = static_cast<T>(cases[i % cases.size()][2]);
    bool same = std::isnan(want) ? std::isnan(got[i])
                                 : (got[i] == want && std::signbit(got[i]) == std::signbit(want));
    CHECK_MESSAGE(same, "hp_" << name << "(" << hex(x[i]) << ", " << hex(y[i]) << ") = " << hex(got[i])
                              << ", expected " << hex(want) << " (" << suffix<T>() << ")");
  }
}

TEST_CASE("hp_arctan2, hp_hypot, hp_logaddexp at zeros, infinities and nan (C99 Annex F, numpy)") {
  if (skip_without_jit()) return;
  const double pi = 0x1.921fb54442d18p1, half_pi = 0x1.921fb54442d18p0, quarter_pi = 0x1.921fb54442d18p-1;
  const std::vector<std::array<double, 3>> arctan2 = {
      {0.0, 0.0, 0.0},          {-0.0, 0.0, -0.0},        {0.0, -0.0, pi},           {-0.0, -0.0, -pi},
      {0.0, -1.0, pi},          {-0.0, -1.0, -pi},        {0.0, 1.0, 0.0},           {-0.0, 1.0, -0.0},
      {1.0, 0.0, half_pi},      {-1.0, -0.0, -half_pi},   {kInf, kInf, quarter_pi},  {kInf, -kInf, 3 * quarter_pi},
      {-kInf, kInf, -quarter_pi}, {1.0, -kInf, pi},       {-1.0, kInf, -0.0},        {kInf, 1.0, half_pi},
      {1.0, 1.0, quarter_pi},   {kNan, 1.0, kNan},        {1.0, kNan, kNan}};
  const std::vector<std::array<double, 3>> hypot = {
      {3.0, 4.0, 5.0}, {-3.0, -4.0, 5.0}, {0.0, -0.0, 0.0}, {kInf, kNan, kInf}, {kNan, -kInf, kInf},
      {kNan, 1.0, kNan}, {0.0, 7.0, 7.0}, {0x1.8p+901, 0x1p+902, 0x1.4p+902}, {0x1.8p-999, 0x1p-998, 0x1.4p-998}};
  const std::vector<std::array<double, 3>> logaddexp = {
      {kInf, kInf, kInf}, {-kInf, -kInf, -kInf}, {kInf, -kInf, kInf}, {-kInf, 3.0, 3.0}, {1000.0, 1000.0, 1000.0 + 0x1.62e42fefa39efp-1},
      {kNan, 1.0, kNan}, {0.0, 0.0, 0x1.62e42fefa39efp-1}, {800.0, -800.0, 800.0}};
  check_binary_exact<double>("arctan2", arctan2);
  check_binary_exact<float>("arctan2", arctan2);
  check_binary_exact<double>("hypot", hypot);
  check_binary_exact<float>("hypot", {{3.0, 4.0, 5.0}, {kInf, kNan, kInf}, {3e38, 3e38, kInf}});
  check_binary_exact<double>("logaddexp", logaddexp);
  check_binary_exact<float>("logaddexp", {{kInf, kInf, kInf}, {-kInf, -kInf, -kInf}, {0.0, 0.0, std::log(2.0f)}});
}

// pow over pairs: random bit patterns for x with |y log x| up to 760 (results
// from underflow to overflow), small x and y, and negative x with integer y.
template <typename T>
WorstCase sweep_pow(const jit::Module& module, std::size_t n) {
  const bool f64 = std::is_same_v<T, double>;
  Rng rng(77);
  std::vector<T> x, y;
  for (T b : random_bits<T>(rng, 0, std::numeric_limits<T>::max(), 3 * n)) {
    double limit =
        std::min(1e6, (f64 ? 760.0 : 110.0) / std::max(1e-300, std::fabs(std::log(double(b)))));
    x.push_back(b);
    y.push_back(static_cast<T>(std::uniform_real_distribution<double>(-limit, limit)(rng)));
  }
  for (T b : uniform<T>(rng, 0, 10, n)) {
    x.push_back(b);
    y.push_back(static_cast<T>(std::uniform_real_distribution<double>(-8, 8)(rng)));
  }
  for (T b : uniform<T>(rng, -10, 10, n)) {
    x.push_back(b);
    y.push_back(
        static_cast<T>(std::uniform_int_distribution<int>(f64 ? -300 : -40, f64 ? 300 : 40)(rng)));
  }
  std::vector<T> got = run_pow(module, x, y);
  WorstCase worst;
  using R = Reference<T>;
  for (std::size_t i = 0; i < x.size(); ++i)
    worst.add(ulp_error(got[i], std::pow(static_cast<R>(x[i]), static_cast<R>(y[i]))), x[i], y[i]);
  return worst;
}

template <typename T>
void check_pow_accuracy() {
  WorstCase worst = sweep_pow<T>(math_module(), kPoints);
  MESSAGE("hp_pow " << suffix<T>() << ": max " << worst.ulp << " ulp over " << worst.points
                    << " points (worst at x = " << hex(worst.x) << ", y = " << hex(worst.y) << ")");
  CHECK(worst.ulp <= 2.0);
}

// C99 Annex F (F.10.4.4) case by case, then exact small integer powers.
template <typename T>
void check_pow_special_cases() {
  const bool f64 = std::is_same_v<T, double>;
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const std::vector<std::array<T, 3>> cases = {
      {nan, 0, 1},
      {nan, -0.0, 1},
      {1, nan, 1},
      {1, inf, 1},
      {-1, inf, 1},
      {-1, -inf, 1},
      {0, -3, inf},
      {-0.0, -3, -inf},
      {0, -2, inf},
      {-0.0, -2, inf},
      {-0.0, -0.5, inf},
      {0, -inf, inf},
      {0, 3, 0},
      {-0.0, 3, -0.0},
      {-0.0, 2, 0},
      {-0.0, 0.5, 0},
      {0.5, -inf, inf},
      {2, -inf, 0},
      {0.5, inf, 0},
      {2, inf, inf},
      {-inf, -3, -0.0},
      {-inf, -2, 0},
      {-inf, 3, -inf},
      {-inf, 2, inf},
      {-inf, 0.5, inf},
      {inf, -1, 0},
      {inf, 1, inf},
      {-2, 0.5, nan},
      {-8, T(1) / 3, nan},
      {nan, 1, nan},
      {2, nan, nan},
      {2, 10, 1024},
      {-2, 3, -8},
      {-3, -2, T(1) / 9},
      {10, 2, 100},
      {4, 0.5, 2},
      {0.25, -0.5, 2},
      {2, T(f64 ? -1074 : -149), std::numeric_limits<T>::denorm_min()},
      {2, T(f64 ? 1024 : 128), inf}};
  std::vector<T> x, y;
  for (int i = 0; i < 67; ++i) {  // vector body and scalar tail
    x.push_back(cases[i % cases.size()][0]);
    y.push_back(cases[i % cases.size()][1]);
  }
  std::vector<T> got = run_pow(math_module(), x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    T want = cases[i % cases.size()][2];
    bool same = std::isnan(want) ? std::isnan(got[i])
                                 : (got[i] == want && std::signbit(got[i]) == std::signbit(want));
    CHECK_MESSAGE(same, "hp_pow(" << hex(x[i]) << ", " << hex(y[i]) << ") = " << hex(got[i])
                                  << ", expected " << hex(want) << " (" << suffix<T>() << ")");
  }
}

TEST_CASE("hp_pow: <= 2 ulp, also for |y log x| near 709 and negative bases with integer y") {
  if (skip_without_jit()) return;
  check_pow_accuracy<double>();
  check_pow_accuracy<float>();
}

TEST_CASE("hp_pow follows C99 Annex F at zeros, infinities, nan, -1 and negative bases") {
  if (skip_without_jit()) return;
  check_pow_special_cases<double>();
  check_pow_special_cases<float>();
}

// Bounds must not depend on FP contraction (fma formation) or on the hardware
// fma: the same sweep, smaller, with contraction off and with Dekker products.
TEST_CASE("the bounds hold with fp contraction off and without hardware fma") {
  if (skip_without_jit()) return;
  for (const jit::CompileOptions& options : {jit::CompileOptions{.fp_contract = false},
                                             jit::CompileOptions{.defines = {"HP_MATH_NO_FMA"}}}) {
    const jit::Module& module = math_module(options);
    for (std::string name : kUnaryFunctions) {
      WorstCase f64 = sweep_unary<double>(module, name, kPoints / 8);
      WorstCase f32 = sweep_unary<float>(module, name, kPoints / 8);
      std::string variant = options.fp_contract ? "without hardware fma" : "without contraction";
      MESSAGE("hp_" << name << " " << variant << ": f64 " << f64.ulp << " ulp at " << f64.x
                    << ", f32 " << f32.ulp << " ulp at " << f32.x);
      CHECK(f64.ulp <= documented_bound(name).f64);
      CHECK(f32.ulp <= documented_bound(name).f32);
    }
    WorstCase pow64 = sweep_pow<double>(module, kPoints / 8);
    WorstCase pow32 = sweep_pow<float>(module, kPoints / 8);
    CHECK(pow64.ulp <= 2.0);
    CHECK(pow32.ulp <= 2.0);
  }
}

// The reason math.h exists: a loop calling these functions vectorises and
// calls nothing (Clang would call libm's scalar exp for __builtin_exp).
TEST_CASE("a loop over any hp_ function vectorises and calls no libm function") {
  if (skip_without_jit()) return;
  std::string source = driver_source();
  std::string ir = jit::emit_llvm_ir(source);
  auto body_of = [&](const std::string& symbol) {
    std::size_t start = ir.find("@" + symbol + "(");
    REQUIRE_MESSAGE(start != std::string::npos, symbol << " not in the IR");
    std::size_t end = ir.find("\ndefine ", start);
    return ir.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  std::vector<std::string> symbols = {"run_pow_f64", "run_pow_f32"};
  for (const char* name : kBinaryFunctions)
    for (const char* s : {"f64", "f32"}) symbols.push_back(std::string("run_") + name + "_" + s);
  for (const char* name : kUnaryFunctions)
    for (const char* s : {"f64", "f32"}) symbols.push_back(std::string("run_") + name + "_" + s);
  for (const std::string& symbol : symbols) {
    std::string body = body_of(symbol);
    // At least 4 lanes of the function's type; an f32 function that works in
    // double (sin, cos, expm1) may vectorise as <4 x float> loads and <4 x
    // double> arithmetic, as Clang picks on an AVX-512 host.
    const bool f64 = symbol.ends_with("f64");
    bool vector = false;
    static const std::regex lanes(R"(<(\d+) x (float|double)>)");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), lanes); it != std::sregex_iterator(); ++it) {
      const bool wide = std::stoi((*it)[1]) >= 4;
      vector = vector || (wide && (f64 ? (*it)[2] == "double" : true));
    }
    CHECK_MESSAGE(vector, symbol << " is not vectorised");
    // Intrinsics (llvm.fma, llvm.fabs, ...) are fine; any other call is not.
    std::size_t at = 0;
    while ((at = body.find("call ", at)) != std::string::npos) {
      std::size_t line_end = body.find('\n', at);
      std::string line = body.substr(at, line_end - at);
      CHECK_MESSAGE(line.find("@llvm.") != std::string::npos, symbol << " calls: " << line);
      at = line_end;
    }
  }
}
