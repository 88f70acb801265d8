/// Elementwise ops: the table of scalar ops (each row the whole definition of
/// one: type rule, pp, reference arithmetic, gradient, C++ and CUDA text), the
/// Op that maps a row over broadcast tensors, and the public constructors.
#include "compiler/ops/elemwise.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "compiler/emit/cpp_emitter.hpp"
#include "compiler/emit/cuda_emitter.hpp"
#include "hypatia/config.hpp"
#include "hypatia/ops.hpp"

// Generated code's integer //, % and **, compiled here with the host's types, so
// that the reference computes them with the same text.
namespace hypatia::generated_abi {
using hp_i64 = std::int64_t;
using hp_u64 = std::uint64_t;
#define HP_DEVICE static inline
#include "codegen_templates/int_ops.h"
#undef HP_DEVICE
}  // namespace hypatia::generated_abi

namespace hypatia {
namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

// Integer arithmetic wraps as numpy's does (two's complement), without signed-overflow UB.
i64 wrap_add(i64 a, i64 b) { return static_cast<i64>(static_cast<u64>(a) + static_cast<u64>(b)); }
i64 wrap_sub(i64 a, i64 b) { return static_cast<i64>(static_cast<u64>(a) - static_cast<u64>(b)); }
i64 wrap_mul(i64 a, i64 b) { return static_cast<i64>(static_cast<u64>(a) * static_cast<u64>(b)); }

void check_divisor(i64 b) {
  if (b == 0) throw InvalidValueError("integer division by zero");
}

i64 floor_div(i64 a, i64 b) {
  check_divisor(b);
  int err = 0;
  return generated_abi::hp_floordiv_i(a, b, &err);
}

i64 python_mod(i64 a, i64 b) {
  check_divisor(b);
  int err = 0;
  return generated_abi::hp_mod_i(a, b, &err);
}

// Python's divmod on floats, as numpy's npy_divmod: a == (a // b) * b + a % b,
// and a % b takes the sign of b. floor(a / b) alone is wrong where a / b rounds
// up to an integer: 1.0 // 0.1 is 9 (1.0 % 0.1 is 0.09999999999999995), not 10.
double python_fmod(double a, double b) {
  const double r = std::fmod(a, b);
  if (r == 0) return std::copysign(0.0, b);
  return (r < 0) != (b < 0) ? r + b : r;
}

double python_floor_div(double a, double b) {
  if (b == 0) return a / b;
  const double r = std::fmod(a, b);
  double div = (a - r) / b;
  if (r != 0 && (r < 0) != (b < 0)) div -= 1.0;
  if (div == 0) return std::copysign(0.0, a / b);
  const double floor_div = std::floor(div);
  return div - floor_div > 0.5 ? floor_div + 1.0 : floor_div;
}

// Generated code's own integer power (codegen_templates/int_ops.h).
i64 int_pow(i64 base, i64 exponent) {
  int err = 0;
  const i64 result = generated_abi::hp_pow_i(base, exponent, &err);
  if (err) throw InvalidValueError("integers to negative integer powers are not allowed");
  return result;
}

// NaN-propagating maximum/minimum, as numpy.maximum/minimum.
double nan_max(double a, double b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
double nan_min(double a, double b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }

double sigmoid_ref(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

double softplus_ref(double x) {
  if (x > 0) return x + std::log1p(std::exp(-x));
  return std::log1p(std::exp(x));
}

constexpr double kPi = 3.141592653589793;
constexpr double kLn2 = 0.6931471805599453;
constexpr double kLn10 = 2.302585092994046;
constexpr double kTwoOverSqrtPi = 1.1283791670955126;
constexpr double kSqrtPiOverTwo = 0.88622692545275801;

/// numpy's logaddexp: max + log1p(exp(-|a - b|)); equal arguments (also
/// infinities) give a + log 2.
double logaddexp_ref(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return a + kLn2;
  return std::max(a, b) + std::log1p(std::exp(-std::fabs(a - b)));
}

/// y >= 0 with erf(y) = 1 - t, for t in (0, 1]: bisection in long double on
/// erfc(y) - t (no cancellation near t = 0), then one Newton step.
long double erfc_root(long double t) {
  long double lo = 0, hi = 28;
  for (int i = 0; i < 120 && hi - lo > 0; ++i) {
    const long double mid = (lo + hi) / 2;
    (std::erfc(mid) > t ? lo : hi) = mid;
  }
  const long double y = (lo + hi) / 2;
  return y + (std::erfc(y) - t) / (1.1283791670955125739L * std::exp(-y * y));
}

/// scipy's erfinv: inf at +-1, NaN outside [-1, 1]. Near 0 the root of erf is
/// found from erf itself (1 - |x| would lose x's low bits).
double erfinv_ref(double x) {
  if (std::isnan(x) || std::fabs(x) > 1) return std::nan("");
  if (std::fabs(x) == 1) return std::copysign(HUGE_VAL, x);
  if (x == 0) return x;
  const long double a = std::fabs(x);
  long double y = a < 0.5L ? 0 : erfc_root(1 - a);
  if (a < 0.5L) {
    long double lo = 0, hi = 1;
    for (int i = 0; i < 120 && hi - lo > 0; ++i) {
      const long double mid = (lo + hi) / 2;
      (std::erf(mid) < a ? lo : hi) = mid;
    }
    y = (lo + hi) / 2;
  }
  return static_cast<double>(std::copysign(y, static_cast<long double>(x)));
}

/// scipy's erfcinv: erfcinv(0) = inf, erfcinv(2) = -inf, NaN outside [0, 2].
double erfcinv_ref(double z) {
  if (std::isnan(z) || z < 0 || z > 2) return std::nan("");
  if (z >= 0.5 && z <= 1.5) return erfinv_ref(1 - z);  // 1 - z is exact here
  if (z == 0) return HUGE_VAL;
  if (z == 2) return -HUGE_VAL;
  const long double t = z < 1 ? z : 2.0L - z;
  return static_cast<double>(z < 1 ? erfc_root(t) : -erfc_root(t));
}

/// digamma in long double: recurrence up to 20 then the asymptotic series,
/// reflection for negatives; NaN at 0 and the negative integers (scipy).
double psi_ref(double x) {
  if (std::isnan(x) || (x <= 0 && std::floor(x) == x)) return std::nan("");
  if (x == HUGE_VAL) return x;
  long double v = x, acc = 0;
  if (v < 0) {  // psi(x) = psi(1 - x) - pi cot(pi x), and cot(pi x) = cot(pi f), f = x - rint(x) exact
    const long double pi = 3.14159265358979323846264338327950288L;
    acc = -pi / std::tan(pi * (v - std::nearbyint(v)));
    v = 1 - v;
  }
  for (; v < 20; v += 1) acc -= 1 / v;
  const long double u = 1 / (v * v);
  const long double series =
      u * (1.0L / 12 - u * (1.0L / 120 - u * (1.0L / 252 - u * (1.0L / 240 - u * (1.0L / 132)))));
  return static_cast<double>(acc + std::log(v) - 0.5L / v - series);
}

/// numpy's round: to the nearest integer, ties to the even one.
double round_half_even(double x) {
  const double r = std::round(x);  // ties away from zero
  return std::fabs(x - std::trunc(x)) == 0.5 ? 2.0 * std::round(x / 2.0) : r;
}

// clang-format off
const std::vector<ScalarOp> kScalarOps = {
  // name        arity infix  rule                     float arithmetic                                         integer arithmetic
  //   gradient
  //   C++ in floats, C++ in int64 (operands are {0}, {1}, {2}; `err` may be set)
  {"add",        2, "+",  DTypeRule::Upcast,       [](const double* x) { return x[0] + x[1]; },                [](const i64* x) { return wrap_add(x[0], x[1]); },
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {g, g}; },
      "({0} + {1})", "hp_add_i({0}, {1})"},
  {"sub",        2, "-",  DTypeRule::UpcastNoBool, [](const double* x) { return x[0] - x[1]; },                [](const i64* x) { return wrap_sub(x[0], x[1]); },
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {g, -g}; },
      "({0} - {1})", "hp_sub_i({0}, {1})"},
  {"mul",        2, "*",  DTypeRule::Upcast,       [](const double* x) { return x[0] * x[1]; },                [](const i64* x) { return wrap_mul(x[0], x[1]); },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * x[1], g * x[0]}; },
      "({0} * {1})", "hp_mul_i({0}, {1})"},
  {"true_div",   2, "/",  DTypeRule::TrueDiv,      [](const double* x) { return x[0] / x[1]; },                nullptr,
      [](const std::vector<Var>& x, const Var& z, const Var& g) -> std::vector<Var> { return {g / x[1], -(g * z) / x[1]}; },
      "({0} / {1})", ""},
  {"int_div",    2, "//", DTypeRule::Upcast,       [](const double* x) { return python_floor_div(x[0], x[1]); }, [](const i64* x) { return floor_div(x[0], x[1]); },
      nullptr,
      "hp_floordiv_f({0}, {1})", "hp_floordiv_i({0}, {1}, &err)"},
  {"mod",        2, "%",  DTypeRule::Upcast,       [](const double* x) { return python_fmod(x[0], x[1]); },    [](const i64* x) { return python_mod(x[0], x[1]); },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g, -(int_div(x[0], x[1]) * g)}; },
      "hp_fmod_py({0}, {1})", "hp_mod_i({0}, {1}, &err)"},
  {"pow",        2, "**", DTypeRule::UpcastMin8,   [](const double* x) { return std::pow(x[0], x[1]); },       [](const i64* x) { return int_pow(x[0], x[1]); },
      [](const std::vector<Var>& x, const Var& z, const Var& g) -> std::vector<Var> { return {g * x[1] * pow(x[0], x[1] - 1), g * log(x[0]) * z}; },
      "hp_pow({0}, {1})", "hp_pow_i({0}, {1}, &err)"},
  {"neg",        1, "-",  DTypeRule::UpcastNoBool, [](const double* x) { return -x[0]; },                      [](const i64* x) { return wrap_sub(0, x[0]); },
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {-g}; },
      "(-{0})", "hp_sub_i(0, {0})"},
  {"exp",        1, "",   DTypeRule::Float,        [](const double* x) { return std::exp(x[0]); },             nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * z}; },
      "hp_exp({0})", ""},
  {"log",        1, "",   DTypeRule::Float,        [](const double* x) { return std::log(x[0]); },             nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / x[0]}; },
      "hp_log({0})", ""},
  {"log1p",      1, "",   DTypeRule::Float,        [](const double* x) { return std::log1p(x[0]); },           nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / (x[0] + 1)}; },
      "hp_log1p({0})", ""},
  {"sqrt",       1, "",   DTypeRule::Float,        [](const double* x) { return std::sqrt(x[0]); },            nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * 0.5 / z}; },
      "hp_sqrt({0})", ""},
  {"tanh",       1, "",   DTypeRule::Float,        [](const double* x) { return std::tanh(x[0]); },            nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * (1 - sqr(z))}; },
      "hp_tanh({0})", ""},
  {"sigmoid",    1, "",   DTypeRule::Float,        [](const double* x) { return sigmoid_ref(x[0]); },          nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * z * (1 - z)}; },
      "hp_sigmoid({0})", ""},
  {"softplus",   1, "",   DTypeRule::Float,        [](const double* x) { return softplus_ref(x[0]); },         nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * sigmoid(x[0])}; },
      "hp_softplus({0})", ""},
  // Trigonometric, hyperbolic, exponential and special functions: numpy's
  // values, Theano's gradients; the C++ is codegen_templates/math.h's
  // vectorisable hp_* (CUDA: the device libm, cuda_abi.h).
  {"sin",        1, "",   DTypeRule::Float,        [](const double* x) { return std::sin(x[0]); },             nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * cos(x[0])}; },
      "hp_sin({0})", ""},
  {"cos",        1, "",   DTypeRule::Float,        [](const double* x) { return std::cos(x[0]); },             nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {-(g * sin(x[0]))}; },
      "hp_cos({0})", ""},
  {"tan",        1, "",   DTypeRule::Float,        [](const double* x) { return std::tan(x[0]); },             nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * (1 + sqr(z))}; },
      "hp_tan({0})", ""},
  {"arcsin",     1, "",   DTypeRule::Float,        [](const double* x) { return std::asin(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / sqrt(1 - sqr(x[0]))}; },
      "hp_arcsin({0})", ""},
  {"arccos",     1, "",   DTypeRule::Float,        [](const double* x) { return std::acos(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {-(g / sqrt(1 - sqr(x[0])))}; },
      "hp_arccos({0})", ""},
  {"arctan",     1, "",   DTypeRule::Float,        [](const double* x) { return std::atan(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / (1 + sqr(x[0]))}; },
      "hp_arctan({0})", ""},
  // arctan2(a, b): the angle of (b, a); d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2).
  {"arctan2",    2, "",   DTypeRule::Float,        [](const double* x) { return std::atan2(x[0], x[1]); },     nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> {
        const Var r2 = sqr(x[0]) + sqr(x[1]);
        return {g * x[1] / r2, -(g * x[0]) / r2};
      },
      "hp_arctan2({0}, {1})", ""},
  {"sinh",       1, "",   DTypeRule::Float,        [](const double* x) { return std::sinh(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * cosh(x[0])}; },
      "hp_sinh({0})", ""},
  {"cosh",       1, "",   DTypeRule::Float,        [](const double* x) { return std::cosh(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * sinh(x[0])}; },
      "hp_cosh({0})", ""},
  {"arcsinh",    1, "",   DTypeRule::Float,        [](const double* x) { return std::asinh(x[0]); },           nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / sqrt(sqr(x[0]) + 1)}; },
      "hp_arcsinh({0})", ""},
  {"arccosh",    1, "",   DTypeRule::Float,        [](const double* x) { return std::acosh(x[0]); },           nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / sqrt(sqr(x[0]) - 1)}; },
      "hp_arccosh({0})", ""},
  {"arctanh",    1, "",   DTypeRule::Float,        [](const double* x) { return std::atanh(x[0]); },           nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / (1 - sqr(x[0]))}; },
      "hp_arctanh({0})", ""},
  {"exp2",       1, "",   DTypeRule::Float,        [](const double* x) { return std::exp2(x[0]); },            nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * z * kLn2}; },
      "hp_exp2({0})", ""},
  {"expm1",      1, "",   DTypeRule::Float,        [](const double* x) { return std::expm1(x[0]); },           nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * exp(x[0])}; },
      "hp_expm1({0})", ""},
  {"log2",       1, "",   DTypeRule::Float,        [](const double* x) { return std::log2(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / (x[0] * kLn2)}; },
      "hp_log2({0})", ""},
  {"log10",      1, "",   DTypeRule::Float,        [](const double* x) { return std::log10(x[0]); },           nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g / (x[0] * kLn10)}; },
      "hp_log10({0})", ""},
  {"erf",        1, "",   DTypeRule::Float,        [](const double* x) { return std::erf(x[0]); },             nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * kTwoOverSqrtPi * exp(-sqr(x[0]))}; },
      "hp_erf({0})", ""},
  {"erfc",       1, "",   DTypeRule::Float,        [](const double* x) { return std::erfc(x[0]); },            nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {-(g * kTwoOverSqrtPi * exp(-sqr(x[0])))}; },
      "hp_erfc({0})", ""},
  {"erfinv",     1, "",   DTypeRule::Float,        [](const double* x) { return erfinv_ref(x[0]); },           nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {g * kSqrtPiOverTwo * exp(sqr(z))}; },
      "hp_erfinv({0})", ""},
  {"erfcinv",    1, "",   DTypeRule::Float,        [](const double* x) { return erfcinv_ref(x[0]); },          nullptr,
      [](const std::vector<Var>&, const Var& z, const Var& g) -> std::vector<Var> { return {-(g * kSqrtPiOverTwo * exp(sqr(z)))}; },
      "hp_erfcinv({0})", ""},
  // gammaln is log|Gamma| (std::lgamma: inf at the poles); its derivative is psi.
  {"gammaln",    1, "",   DTypeRule::Float,        [](const double* x) { return std::lgamma(x[0]); },          nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * psi(x[0])}; },
      "hp_gammaln({0})", ""},
  // psi's derivative, trigamma, is not implemented: see undefined_derivative below.
  {"psi",        1, "",   DTypeRule::Float,        [](const double* x) { return psi_ref(x[0]); },              nullptr,
      nullptr,
      "hp_psi({0})", ""},
  {"hypot",      2, "",   DTypeRule::Float,        [](const double* x) { return std::hypot(x[0], x[1]); },     nullptr,
      [](const std::vector<Var>& x, const Var& z, const Var& g) -> std::vector<Var> { return {g * x[0] / z, g * x[1] / z}; },
      "hp_hypot({0}, {1})", ""},
  // d/da logaddexp(a, b) = exp(a - z) = sigmoid(a - b), written without overflow.
  {"logaddexp",  2, "",   DTypeRule::Float,        [](const double* x) { return logaddexp_ref(x[0], x[1]); },  nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * sigmoid(x[0] - x[1]), g * sigmoid(x[1] - x[0])}; },
      "hp_logaddexp({0}, {1})", ""},
  {"sqr",        1, "",   DTypeRule::Upcast,       [](const double* x) { return x[0] * x[0]; },                [](const i64* x) { return wrap_mul(x[0], x[0]); },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {g * 2 * x[0]}; },
      "({0} * {0})", "hp_mul_i({0}, {0})"},
  {"abs",        1, "",   DTypeRule::Upcast,       [](const double* x) { return std::fabs(x[0]); },            [](const i64* x) { return x[0] < 0 ? wrap_sub(0, x[0]) : x[0]; },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {where(x[0] > 0, g, where(x[0] < 0, -g, 0))}; },
      "hp_fabs({0})", "hp_abs_i({0})"},
  // relu: Theano's 0.5 * (x + |x|) without its overflow: -0.0 gives +0.0, NaN stays NaN.
  {"relu",       1, "",   DTypeRule::Upcast,       [](const double* x) { return x[0] > 0 || x[0] != x[0] ? x[0] : 0.0; },
                                                                                                                [](const i64* x) { return x[0] < 0 ? i64{0} : x[0]; },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {where(x[0] > 0, g, 0)}; },
      "({0} > 0 || {0} != {0} ? {0} : 0)", "({0} < 0 ? 0 : {0})"},
  // Rounding: piecewise constant, so no gradient flows (Theano's grad is 0).
  // round is numpy's (and PyTensor's) half to even: round(0.5) = 0, round(1.5) = 2.
  {"floor",      1, "",   DTypeRule::Float,        [](const double* x) { return std::floor(x[0]); },           nullptr,
      nullptr,
      "hp_floor({0})", ""},
  {"ceil",       1, "",   DTypeRule::Float,        [](const double* x) { return std::ceil(x[0]); },            nullptr,
      nullptr,
      "hp_ceil({0})", ""},
  {"trunc",      1, "",   DTypeRule::Float,        [](const double* x) { return std::trunc(x[0]); },           nullptr,
      nullptr,
      "hp_trunc({0})", ""},
  {"round",      1, "",   DTypeRule::Float,        [](const double* x) { return round_half_even(x[0]); },      nullptr,
      nullptr,
      "hp_round_even({0})", ""},
  // sign: numpy's -1, 0 or 1 (sign(-0.0) = 0, NaN stays NaN); bool is a TypeError as in numpy.
  {"sign",       1, "",   DTypeRule::UpcastNoBool, [](const double* x) { return x[0] > 0 ? 1.0 : x[0] < 0 ? -1.0 : x[0] == 0 ? 0.0 : x[0]; },
                                                                                                                [](const i64* x) { return i64((x[0] > 0) - (x[0] < 0)); },
      nullptr,
      "hp_sign({0})", "(({0} > 0) - ({0} < 0))"},
  {"reciprocal", 1, "",   DTypeRule::Float,        [](const double* x) { return 1.0 / x[0]; },                 nullptr,
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {-g / sqr(x[0])}; },
      "(1 / {0})", ""},
  // deg2rad and rad2deg multiply by the constant rounded to the dtype, as numpy.
  {"deg2rad",    1, "",   DTypeRule::Float,        [](const double* x) { return x[0] * (kPi / 180.0); },       nullptr,
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {g * (kPi / 180.0)}; },
      "hp_deg2rad({0})", ""},
  {"rad2deg",    1, "",   DTypeRule::Float,        [](const double* x) { return x[0] * (180.0 / kPi); },       nullptr,
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {g * (180.0 / kPi)}; },
      "hp_rad2deg({0})", ""},
  // Classification: bool results; an integer is never NaN nor infinite.
  {"isnan",      1, "",   DTypeRule::Compare,      [](const double* x) { return double(std::isnan(x[0])); },  [](const i64*) { return i64{0}; },
      nullptr,
      "({0} != {0})", "false"},
  {"isinf",      1, "",   DTypeRule::Compare,      [](const double* x) { return double(std::isinf(x[0])); },  [](const i64*) { return i64{0}; },
      nullptr,
      "hp_isinf({0})", "false"},
  {"isfinite",   1, "",   DTypeRule::Compare,      [](const double* x) { return double(std::isfinite(x[0])); }, [](const i64*) { return i64{1}; },
      nullptr,
      "hp_isfinite({0})", "true"},
  // Bits and logic (numpy's): bitwise on integers, logical on booleans (0/1
  // values stay 0/1 under & | ^); floats are a TypeError. invert of a bool
  // tensor is logical_not (hp::invert picks it), as numpy's ~.
  {"bitwise_and", 2, "&", DTypeRule::Bitwise,     nullptr,                                                    [](const i64* x) { return x[0] & x[1]; },
      nullptr,
      "", "({0} & {1})"},
  {"bitwise_or", 2, "|",  DTypeRule::Bitwise,      nullptr,                                                    [](const i64* x) { return x[0] | x[1]; },
      nullptr,
      "", "({0} | {1})"},
  {"bitwise_xor", 2, "^", DTypeRule::Bitwise,      nullptr,                                                    [](const i64* x) { return x[0] ^ x[1]; },
      nullptr,
      "", "({0} ^ {1})"},
  {"invert",     1, "~",  DTypeRule::Bitwise,      nullptr,                                                    [](const i64* x) { return ~x[0]; },
      nullptr,
      "", "(~{0})"},
  {"left_shift", 2, "<<", DTypeRule::Shift,        nullptr,                                                    [](const i64* x) { return generated_abi::hp_shl_i(x[0], x[1]); },
      nullptr,
      "", "hp_shl_i({0}, {1})"},
  {"right_shift", 2, ">>", DTypeRule::Shift,       nullptr,                                                    [](const i64* x) { return generated_abi::hp_shr_i(x[0], x[1]); },
      nullptr,
      "", "hp_shr_i({0}, {1})"},
  // numpy's logical_not: x == 0 in any dtype (NaN is true, so not NaN is false).
  {"logical_not", 1, "",  DTypeRule::Compare,      [](const double* x) { return double(x[0] == 0); },         [](const i64* x) { return i64(x[0] == 0); },
      nullptr,
      "({0} == 0)", "({0} == 0)"},
  {"maximum",    2, "",   DTypeRule::Upcast,       [](const double* x) { return nan_max(x[0], x[1]); },        [](const i64* x) { return x[0] > x[1] ? x[0] : x[1]; },
      [](const std::vector<Var>& x, const Var& z, const Var& g) -> std::vector<Var> { return {where(eq(z, x[0]), g, 0), where(eq(z, x[1]), g, 0)}; },
      "hp_max({0}, {1})", "({0} > {1} ? {0} : {1})"},
  {"minimum",    2, "",   DTypeRule::Upcast,       [](const double* x) { return nan_min(x[0], x[1]); },        [](const i64* x) { return x[0] < x[1] ? x[0] : x[1]; },
      [](const std::vector<Var>& x, const Var& z, const Var& g) -> std::vector<Var> { return {where(eq(z, x[0]), g, 0), where(eq(z, x[1]), g, 0)}; },
      "hp_min({0}, {1})", "({0} < {1} ? {0} : {1})"},
  // clip: Theano's x < lo ? lo : (x > hi ? hi : x), also where lo > hi (numpy's clip gives hi there)
  // and for NaN bounds (a NaN bound is never crossed); a NaN x stays NaN.
  {"clip",       3, "",   DTypeRule::Upcast,       [](const double* x) { return x[0] < x[1] ? x[1] : (x[0] > x[2] ? x[2] : x[0]); },
                                                                                                                [](const i64* x) { return x[0] < x[1] ? x[1] : (x[0] > x[2] ? x[2] : x[0]); },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {where(x[0] < x[1], 0, where(x[0] > x[2], 0, g)), where(x[0] < x[1], g, 0), where(x[0] > x[2], g, 0)}; },
      "({0} < {1} ? {1} : ({0} > {2} ? {2} : {0}))", "({0} < {1} ? {1} : ({0} > {2} ? {2} : {0}))"},
  {"where",      3, "",   DTypeRule::Switch,       [](const double* x) { return x[0] != 0 ? x[1] : x[2]; },    [](const i64* x) { return x[0] != 0 ? x[1] : x[2]; },
      [](const std::vector<Var>& x, const Var&, const Var& g) -> std::vector<Var> { return {Var(), where(x[0], g, 0), where(x[0], 0, g)}; },
      "({0} ? {1} : {2})", "({0} ? {1} : {2})"},
  {"eq",         2, "==", DTypeRule::Compare,      [](const double* x) { return double(x[0] == x[1]); },       [](const i64* x) { return i64(x[0] == x[1]); },
      nullptr,
      "({0} == {1})", "({0} == {1})"},
  {"neq",        2, "!=", DTypeRule::Compare,      [](const double* x) { return double(x[0] != x[1]); },       [](const i64* x) { return i64(x[0] != x[1]); },
      nullptr,
      "({0} != {1})", "({0} != {1})"},
  {"lt",         2, "<",  DTypeRule::Compare,      [](const double* x) { return double(x[0] < x[1]); },        [](const i64* x) { return i64(x[0] < x[1]); },
      nullptr,
      "({0} < {1})", "({0} < {1})"},
  {"gt",         2, ">",  DTypeRule::Compare,      [](const double* x) { return double(x[0] > x[1]); },        [](const i64* x) { return i64(x[0] > x[1]); },
      nullptr,
      "({0} > {1})", "({0} > {1})"},
  {"le",         2, "<=", DTypeRule::Compare,      [](const double* x) { return double(x[0] <= x[1]); },       [](const i64* x) { return i64(x[0] <= x[1]); },
      nullptr,
      "({0} <= {1})", "({0} <= {1})"},
  {"ge",         2, ">=", DTypeRule::Compare,      [](const double* x) { return double(x[0] >= x[1]); },       [](const i64* x) { return i64(x[0] >= x[1]); },
      nullptr,
      "({0} >= {1})", "({0} >= {1})"},
  {"cast",       1, "",   DTypeRule::Cast,         [](const double* x) { return x[0]; },                       [](const i64* x) { return x[0]; },
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {g}; },
      "{0}", "{0}"},
  {"second",     2, "",   DTypeRule::Second,       [](const double* x) { return x[1]; },                       [](const i64* x) { return x[1]; },
      [](const std::vector<Var>&, const Var&, const Var& g) -> std::vector<Var> { return {Var(), g}; },
      "{1}", "{1}"},
};
// clang-format on

/// Ops of the table whose derivative exists but is not implemented (their
/// grad is null): grad raises hp::Error with this reason.
std::string_view undefined_derivative(std::string_view op) {
  if (op == "psi") return "psi's derivative is trigamma, polygamma(1, x), which Hypatia does not implement";
  return {};
}

bool computes_in_float(const ScalarOp& op, DType compute) {
  return op.on_int == nullptr || is_float(compute);
}

/// NEP 50: a C++ integer meets an integer tensor in the tensor's dtype, so it
/// must fit it (`x_int8 + 300` is refused, as numpy 2 raises OverflowError);
/// otherwise the reference (int64 arithmetic) and compiled code (int8
/// arithmetic) would disagree, e.g. on maximum(x_int8, 300). Comparisons are
/// exempt (they compare exact values), and so is a where's condition.
void check_weak_integers_fit(const Op& op, const ScalarOp& scalar, const std::vector<Var>& inputs,
                             DType compute) {
  if (computes_in_float(scalar, compute) || scalar.rule == DTypeRule::Compare) return;
  const std::size_t first = scalar.rule == DTypeRule::Switch ? 1 : 0;
  for (std::size_t k = first; k < inputs.size(); ++k) {
    if (literal_fits(inputs[k], compute)) continue;
    throw TypeError(fmt::format("{}: the number {} does not fit the operands' dtype {}; "
                                "cast the tensor to a wider dtype first",
                                describe_operands(op, inputs),
                                inputs[k].constant_value().get_flat_int(0), dtype_name(compute)));
  }
}

}  // namespace

DType float_arithmetic_dtype(const ScalarOp& op, DType compute) {
  if (is_float(compute)) return compute;
  return op.rule == DTypeRule::TrueDiv ? DType::Float64 : upgrade_to_float(compute);
}

const std::vector<ScalarOp>& scalar_ops() { return kScalarOps; }

const ScalarOp& scalar_op(std::string_view name) {
  for (const auto& op : kScalarOps) {
    if (op.name == name) return op;
  }
  throw Error(fmt::format("unknown elementwise op '{}'", name));
}

DType promote_operands(const std::vector<Var>& operands, DType weak_float_dtype) {
  std::optional<DType> strong;
  std::optional<DType> all_weak;
  bool weak_float = false;
  bool weak_int = false;
  for (const Var& x : operands) {
    if (!x.is_weak_literal()) {
      strong = strong ? upcast(*strong, x.dtype()) : x.dtype();
      continue;
    }
    all_weak = all_weak ? upcast(*all_weak, x.dtype()) : x.dtype();
    weak_float |= is_float(x.dtype());
    weak_int |= is_integer(x.dtype());
  }
  if (!strong) return all_weak.value_or(DType::Float64);
  DType result = *strong;
  if (weak_float && !is_float(result)) result = weak_float_dtype;
  if (weak_int && is_bool(result)) result = DType::Int64;
  return result;
}

bool literal_fits(const Var& x, DType dtype) {
  if (!x.is_weak_literal() || !is_integer(x.dtype()) || !is_integer(dtype)) return true;
  const auto [lowest, highest] = visit_dtype(dtype, [](auto tag) {
    using Limits = std::numeric_limits<decltype(tag)>;
    return std::pair<i64, i64>{Limits::lowest(), Limits::max()};
  });
  const i64 value = x.constant_value().get_flat_int(0);
  return lowest <= value && value <= highest;
}

std::vector<bool> broadcast_pattern(const std::vector<Var>& operands) {
  int ndim = 0;
  for (const Var& x : operands) ndim = std::max(ndim, x.ndim());
  std::vector<bool> bc(ndim, true);
  for (const Var& x : operands) {
    const int pad = ndim - x.ndim();
    for (int i = 0; i < x.ndim(); ++i) {
      if (!x.broadcastable()[i]) bc[pad + i] = false;
    }
  }
  return bc;
}

Shape broadcast_shapes(const Apply& node, const std::vector<Array>& inputs) {
  const TensorType& out_type = node.output().type();
  const int ndim = out_type.ndim();
  Shape shape(ndim, 1);
  std::vector<int> owner(ndim, -1);  // which input fixed the size of each axis
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const Var& in = node.inputs()[k];
    const int pad = ndim - in.ndim();
    for (int i = 0; i < in.ndim(); ++i) {
      if (in.broadcastable()[i]) continue;  // checked to be 1 where it was made
      const std::int64_t size = inputs[k].shape()[i];
      const int axis = pad + i;
      if (owner[axis] < 0) {
        shape[axis] = size;
        owner[axis] = static_cast<int>(k);
      } else if (shape[axis] != size) {
        throw ShapeError(fmt::format(
            "{}: input {} has shape {} and input {} has shape {}: they differ on axis {} "
            "(only axes the type marks broadcastable stretch; declare such an input with "
            "hp::row/hp::col or a broadcastable pattern)",
            node_str(node), owner[axis], shape_str(inputs[owner[axis]].shape()), k,
            shape_str(inputs[k].shape()), axis));
      }
    }
  }
  return shape;
}

ElemwiseOp::ElemwiseOp(const ScalarOp& scalar, std::optional<DType> cast_to)
    : scalar_(scalar), cast_to_(cast_to), weak_float_dtype_(config().floatX) {}

/// The promotion of the operands (for where: of the two branches; for fill:
/// the second operand's dtype).
DType ElemwiseOp::compute_dtype(const std::vector<Var>& inputs) const {
  if (scalar_.rule == DTypeRule::Switch) return promote_operands({inputs[1], inputs[2]}, weak_float_dtype_);
  if (scalar_.rule == DTypeRule::Second) return inputs[1].dtype();
  return promote_operands(inputs, weak_float_dtype_);
}

std::string ElemwiseOp::name() const {
  if (cast_to_) return fmt::format("Elemwise{{Cast{{{}}}}}", dtype_name(*cast_to_));
  return fmt::format("Elemwise{{{}}}", scalar_.name);
}

TensorType ElemwiseOp::infer_type(const std::vector<Var>& inputs) const {
  if (static_cast<int>(inputs.size()) != scalar_.arity) {
    throw TypeError(fmt::format("{} takes {} operand(s), got {}", name(), scalar_.arity,
                                inputs.size()));
  }
  const DType promoted = compute_dtype(inputs);
  check_weak_integers_fit(*this, scalar_, inputs, promoted);
  DType out = promoted;
  switch (scalar_.rule) {
    case DTypeRule::Upcast:
    case DTypeRule::Switch:
    case DTypeRule::Second: break;
    case DTypeRule::UpcastNoBool:
      if (is_bool(promoted)) {
        throw TypeError(fmt::format(
            "{} is not defined on booleans (as numpy): {}; cast to an integer dtype first",
            name(), describe_operands(*this, inputs)));
      }
      break;
    case DTypeRule::UpcastMin8:
      if (is_bool(promoted)) out = DType::Int8;
      break;
    case DTypeRule::Bitwise:
    case DTypeRule::Shift:
      if (is_float(promoted)) {
        throw TypeError(fmt::format("{} is defined on integers{} only (as numpy): {}", name(),
                                    scalar_.rule == DTypeRule::Bitwise ? " and booleans" : "",
                                    describe_operands(*this, inputs)));
      }
      if (scalar_.rule == DTypeRule::Shift && is_bool(promoted)) out = DType::Int8;
      // ~ of a bool is logical_not, a row of its own (the integer ~ of 1 is -2, which is true).
      if (scalar_.arity == 1 && is_bool(promoted)) {
        throw TypeError(fmt::format("{} of a bool is logical_not: {}; use hp::invert or hp::logical_not",
                                    name(), describe_operands(*this, inputs)));
      }
      break;
    case DTypeRule::Float: out = upgrade_to_float(promoted); break;
    // Theano 1.0's TrueDiv: two integer (or bool) operands give floatX.
    case DTypeRule::TrueDiv: out = is_float(promoted) ? promoted : weak_float_dtype_; break;
    case DTypeRule::Compare: out = DType::Bool; break;
    case DTypeRule::Cast: out = *cast_to_; break;
  }
  return TensorType(out, broadcast_pattern(inputs));
}

Array ElemwiseOp::perform(const Apply& node, const std::vector<Array>& inputs) const {
  const Shape shape = broadcast_shapes(node, inputs);
  const DType compute = compute_dtype(node.inputs());
  const bool in_float = computes_in_float(scalar_, compute);
  // Operands meet in the dtype the arithmetic runs in: in float32 arithmetic a
  // C++ number is rounded to float32 first, as numpy 2 does (`x_f32 * 0.1`
  // multiplies by float32(0.1), and `x_f32 == 0.1` is true for x = float32(0.1)).
  const bool in_float32 = in_float && float_arithmetic_dtype(scalar_, compute) == DType::Float32;
  Array out(shape, node.output().dtype());

  std::vector<Array> views;
  for (const Array& in : inputs) views.push_back(in.broadcast_to(shape));
  const bool is_switch = scalar_.rule == DTypeRule::Switch;

  std::vector<double> fargs(inputs.size());
  std::vector<std::int64_t> iargs(inputs.size());
  try {
    for (std::int64_t i = 0; i < out.size(); ++i) {
      for (std::size_t k = 0; k < views.size(); ++k) {
        // A where's condition is read for truth only, whatever its dtype.
        if (is_switch && k == 0) {
          const bool truth = views[0].get_flat_double(i) != 0;
          fargs[0] = truth;
          iargs[0] = truth;
        } else if (in_float32) {
          fargs[k] = static_cast<float>(views[k].get_flat_double(i));
        } else if (in_float) {
          fargs[k] = views[k].get_flat_double(i);
        } else {
          iargs[k] = views[k].get_flat_int(i);
        }
      }
      if (in_float) out.set_flat_double(i, scalar_.on_float(fargs.data()));
      else out.set_flat_int(i, scalar_.on_int(iargs.data()));
    }
  } catch (const InvalidValueError& e) {
    throw InvalidValueError(fmt::format("{}: {}", node_str(node), e.what()));
  }
  return out;
}

std::string ElemwiseOp::pretty(const std::vector<std::string>& args) const {
  if (cast_to_) return fmt::format("cast{{{}}}({})", dtype_name(*cast_to_), args[0]);
  if (!scalar_.infix.empty() && args.size() == 1) return fmt::format("({}{})", scalar_.infix, args[0]);
  if (!scalar_.infix.empty()) return fmt::format("({} {} {})", args[0], scalar_.infix, args[1]);
  return fmt::format("{}({})", scalar_.name, fmt::join(args, ", "));
}

std::vector<InputGrad> ElemwiseOp::grad(const Apply& node, const Var& output_grad) const {
  const Var z = node.output();
  const std::string_view undefined = undefined_derivative(scalar_.name);
  if (!undefined.empty()) {
    return std::vector<InputGrad>(node.inputs().size(), InputGrad::undefined(std::string(undefined)));
  }
  std::vector<InputGrad> grads(node.inputs().size(), InputGrad::zero());
  // Integer and boolean results are piecewise constant: no gradient flows.
  if (!scalar_.grad || !is_float(z.dtype())) return grads;
  const std::vector<Var> raw = scalar_.grad(node.inputs(), z, output_grad);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (!raw[i].is_null()) grads[i] = fit_grad_to(node.inputs()[i], raw[i]);
  }
  return grads;
}

std::string ElemwiseOp::scalar_cpp(const std::vector<Var>& inputs, DType out_dtype,
                                   const std::vector<std::string>& loads) const {
  const DType compute = compute_dtype(inputs);
  const bool in_float = computes_in_float(scalar_, compute);
  const DType ctype = in_float ? float_arithmetic_dtype(scalar_, compute) : DType::Int64;
  const std::string_view text = in_float ? scalar_.cpp_float : scalar_.cpp_int;
  const bool is_switch = scalar_.rule == DTypeRule::Switch;
  std::vector<std::string> args(3);
  for (std::size_t j = 0; j < loads.size(); ++j) {
    // A where's condition is read for truth only; operands meet in the compute type.
    args[j] = is_switch && j == 0 ? "(" + loads[j] + " != 0)"
                                  : CppEmitter::convert(loads[j], inputs[j].dtype(), ctype);
  }
  const std::string value = fmt::format(fmt::runtime(text), args[0], args[1], args[2]);
  return CppEmitter::convert(value, scalar_.rule == DTypeRule::Compare ? DType::Bool : ctype, out_dtype);
}

bool ElemwiseOp::may_fail(const std::vector<Var>& inputs) const {
  const DType compute = compute_dtype(inputs);
  const std::string_view text = computes_in_float(scalar_, compute) ? scalar_.cpp_float : scalar_.cpp_int;
  return text.find("err") != std::string_view::npos;
}

std::vector<std::string> emit_broadcast_shape(CppEmitter& cg, const std::vector<Var>& inputs, int ndim) {
  // Each axis from the first operand that does not broadcast along it; the others must agree.
  std::vector<std::string> shape(ndim, "1");
  for (int axis = 0; axis < ndim; ++axis) {
    std::string first;
    for (const Var& in : inputs) {
      const int pad = ndim - in.ndim();
      if (axis < pad || in.type().broadcastable[axis - pad]) continue;
      const std::string size = fmt::format("{}.shape[{}]", cg.tensor(in), axis - pad);
      if (first.empty()) first = size;
      else cg.fail_if(size + " != " + first);
    }
    if (!first.empty()) shape[axis] = first;
  }
  return shape;
}

std::vector<LoopOperand> loop_operands(CppEmitter& cg, const std::vector<Var>& inputs) {
  std::vector<LoopOperand> operands;
  for (const Var& in : inputs) {
    const bool literal = in.is_constant() && in.ndim() == 0;
    operands.push_back({literal ? "" : cg.tensor(in), in.dtype(), in.type().broadcastable,
                        literal ? CppEmitter::literal(in.constant_value()) : ""});
  }
  return operands;
}

bool ElemwiseOp::emit_cpp(CppEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const std::vector<Var>& inputs = node.inputs();
  const std::string name = fmt::format("v{}", cg.node_index());
  cg.allocate(out, name, emit_broadcast_shape(cg, inputs, out.ndim()));
  auto expr = [&](const std::vector<std::string>& loads) { return scalar_cpp(inputs, out.dtype(), loads); };
  cg.elementwise(name, out.dtype(), out.ndim(), loop_operands(cg, inputs), expr, may_fail(inputs));
  return true;
}

// CUDA: the same scalar expression (cuda_abi.h defines the helpers it calls).
bool ElemwiseOp::emit_cuda(CudaEmitter& cg, const Apply& node) const {
  const Var out = node.output();
  const std::vector<Var>& inputs = node.inputs();
  auto body = [&](const std::vector<std::string>& x) {
    return std::vector<std::string>{"return " + scalar_cpp(inputs, out.dtype(), x) + ";"};
  };
  cg.elementwise(out.dtype(), out.ndim(), CudaEmitter::operands_of(inputs), body, may_fail(inputs));
  return true;
}

Var elemwise(std::string_view name, const std::vector<Var>& operands) {
  return make_apply(std::make_shared<ElemwiseOp>(scalar_op(name)), operands);
}

// --- the public functions -------------------------------------------------------------------

Var add(const Var& a, const Var& b) { return elemwise("add", {a, b}); }
Var sub(const Var& a, const Var& b) { return elemwise("sub", {a, b}); }
Var mul(const Var& a, const Var& b) { return elemwise("mul", {a, b}); }
Var true_div(const Var& a, const Var& b) { return elemwise("true_div", {a, b}); }
Var int_div(const Var& a, const Var& b) { return elemwise("int_div", {a, b}); }
Var mod(const Var& a, const Var& b) { return elemwise("mod", {a, b}); }
Var pow(const Var& a, const Var& b) { return elemwise("pow", {a, b}); }
Var neg(const Var& a) { return elemwise("neg", {a}); }

Var operator+(const Var& a, const Var& b) { return add(a, b); }
Var operator-(const Var& a, const Var& b) { return sub(a, b); }
Var operator*(const Var& a, const Var& b) { return mul(a, b); }
Var operator/(const Var& a, const Var& b) { return true_div(a, b); }
Var operator%(const Var& a, const Var& b) { return mod(a, b); }
Var operator-(const Var& a) { return neg(a); }
Var operator&(const Var& a, const Var& b) { return bitwise_and(a, b); }
Var operator|(const Var& a, const Var& b) { return bitwise_or(a, b); }
Var operator^(const Var& a, const Var& b) { return bitwise_xor(a, b); }
Var operator~(const Var& a) { return invert(a); }

Var bitwise_and(const Var& a, const Var& b) { return elemwise("bitwise_and", {a, b}); }
Var bitwise_or(const Var& a, const Var& b) { return elemwise("bitwise_or", {a, b}); }
Var bitwise_xor(const Var& a, const Var& b) { return elemwise("bitwise_xor", {a, b}); }
Var bitwise_not(const Var& a) { return invert(a); }
Var and_(const Var& a, const Var& b) { return bitwise_and(a, b); }
Var or_(const Var& a, const Var& b) { return bitwise_or(a, b); }
Var xor_(const Var& a, const Var& b) { return bitwise_xor(a, b); }
Var invert(const Var& a) {
  if (!a.is_null() && is_bool(a.dtype())) return logical_not(a);
  return elemwise("invert", {a});
}
Var logical_not(const Var& a) { return elemwise("logical_not", {a}); }
Var left_shift(const Var& a, const Var& b) { return elemwise("left_shift", {a, b}); }
Var right_shift(const Var& a, const Var& b) { return elemwise("right_shift", {a, b}); }
Var operator<(const Var& a, const Var& b) { return lt(a, b); }
Var operator>(const Var& a, const Var& b) { return gt(a, b); }
Var operator<=(const Var& a, const Var& b) { return le(a, b); }
Var operator>=(const Var& a, const Var& b) { return ge(a, b); }

Var exp(const Var& x) { return elemwise("exp", {x}); }
Var log(const Var& x) { return elemwise("log", {x}); }
Var log1p(const Var& x) { return elemwise("log1p", {x}); }
Var sqrt(const Var& x) { return elemwise("sqrt", {x}); }
Var sqr(const Var& x) { return elemwise("sqr", {x}); }
Var abs(const Var& x) { return elemwise("abs", {x}); }
Var tanh(const Var& x) { return elemwise("tanh", {x}); }
Var sigmoid(const Var& x) { return elemwise("sigmoid", {x}); }
Var softplus(const Var& x) { return elemwise("softplus", {x}); }
Var relu(const Var& x) { return elemwise("relu", {x}); }
Var sin(const Var& x) { return elemwise("sin", {x}); }
Var cos(const Var& x) { return elemwise("cos", {x}); }
Var tan(const Var& x) { return elemwise("tan", {x}); }
Var arcsin(const Var& x) { return elemwise("arcsin", {x}); }
Var arccos(const Var& x) { return elemwise("arccos", {x}); }
Var arctan(const Var& x) { return elemwise("arctan", {x}); }
Var arctan2(const Var& a, const Var& b) { return elemwise("arctan2", {a, b}); }
Var sinh(const Var& x) { return elemwise("sinh", {x}); }
Var cosh(const Var& x) { return elemwise("cosh", {x}); }
Var arcsinh(const Var& x) { return elemwise("arcsinh", {x}); }
Var arccosh(const Var& x) { return elemwise("arccosh", {x}); }
Var arctanh(const Var& x) { return elemwise("arctanh", {x}); }
Var exp2(const Var& x) { return elemwise("exp2", {x}); }
Var expm1(const Var& x) { return elemwise("expm1", {x}); }
Var log2(const Var& x) { return elemwise("log2", {x}); }
Var log10(const Var& x) { return elemwise("log10", {x}); }
Var erf(const Var& x) { return elemwise("erf", {x}); }
Var erfc(const Var& x) { return elemwise("erfc", {x}); }
Var erfinv(const Var& x) { return elemwise("erfinv", {x}); }
Var erfcinv(const Var& x) { return elemwise("erfcinv", {x}); }
Var gammaln(const Var& x) { return elemwise("gammaln", {x}); }
Var psi(const Var& x) { return elemwise("psi", {x}); }
Var hypot(const Var& a, const Var& b) { return elemwise("hypot", {a, b}); }
Var logaddexp(const Var& a, const Var& b) { return elemwise("logaddexp", {a, b}); }
Var floor(const Var& x) { return elemwise("floor", {x}); }
Var ceil(const Var& x) { return elemwise("ceil", {x}); }
Var trunc(const Var& x) { return elemwise("trunc", {x}); }
Var round(const Var& x) { return elemwise("round", {x}); }
Var sign(const Var& x) { return elemwise("sign", {x}); }
Var reciprocal(const Var& x) { return elemwise("reciprocal", {x}); }
Var deg2rad(const Var& x) { return elemwise("deg2rad", {x}); }
Var rad2deg(const Var& x) { return elemwise("rad2deg", {x}); }
Var isnan(const Var& x) { return elemwise("isnan", {x}); }
Var isinf(const Var& x) { return elemwise("isinf", {x}); }
Var isfinite(const Var& x) { return elemwise("isfinite", {x}); }
Var maximum(const Var& a, const Var& b) { return elemwise("maximum", {a, b}); }
Var minimum(const Var& a, const Var& b) { return elemwise("minimum", {a, b}); }
Var clip(const Var& x, const Var& lo, const Var& hi) { return elemwise("clip", {x, lo, hi}); }
Var where(const Var& cond, const Var& a, const Var& b) { return elemwise("where", {cond, a, b}); }
Var switch_(const Var& cond, const Var& a, const Var& b) { return where(cond, a, b); }
Var eq(const Var& a, const Var& b) { return elemwise("eq", {a, b}); }
Var neq(const Var& a, const Var& b) { return elemwise("neq", {a, b}); }
Var lt(const Var& a, const Var& b) { return elemwise("lt", {a, b}); }
Var gt(const Var& a, const Var& b) { return elemwise("gt", {a, b}); }
Var le(const Var& a, const Var& b) { return elemwise("le", {a, b}); }
Var ge(const Var& a, const Var& b) { return elemwise("ge", {a, b}); }

Var cast(const Var& x, DType dtype) {
  if (x.is_null()) throw Error("cast: input 0 is a null hp::Var");
  if (x.dtype() == dtype) return x;
  return make_apply(std::make_shared<ElemwiseOp>(scalar_op("cast"), dtype), {x});
}

// zeros_like(x) is fill(x, 0): the constant, in x's dtype, broadcast to x's shape.
Var zeros_like(const Var& x) {
  if (x.is_null()) throw Error("zeros_like: input 0 is a null hp::Var");
  return elemwise("second", {x, constant(Array::zeros({}, x.dtype()))});
}
Var ones_like(const Var& x) {
  if (x.is_null()) throw Error("ones_like: input 0 is a null hp::Var");
  return elemwise("second", {x, constant(Array::ones({}, x.dtype()))});
}

}  // namespace hypatia
