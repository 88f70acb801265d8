// The trigonometric, hyperbolic, exponential and special functions of the
// elementwise table (issue 19): values in float64 and float32, compiled by
// hp::compile (FastRun's generated code, cross-checked against the reference
// evaluator by eval_nonfinite), dtypes, and the special values numpy and scipy
// give at zeros, infinities, NaN and the edges of each domain.
//
// Expected values come from the C library in long double (an implementation
// independent of codegen_templates/math.h and of the reference evaluator) or
// are written out by hand (erfinv, erfcinv and psi have no std:: function:
// their expected values are mpmath's, to 21 digits).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "tests/support/nonfinite.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using hypatia_test::describe;
using hypatia_test::eval_nonfinite;
using LongFn = std::function<long double(long double)>;
using UnaryOp = hp::Var (*)(const hp::Var&);

/// "" when `got` (a vector of `dtype`) holds `want` within `ulps` units in the
/// last place of each expected value; NaN must match NaN and infinities exactly.
std::string within_ulps(const hp::Array& got, hp::DType dtype, const std::vector<long double>& want,
                        double ulps) {
  if (got.dtype() != dtype || static_cast<std::size_t>(got.size()) != want.size())
    return "got " + describe(got) + ", expected " + std::to_string(want.size()) + " values of dtype " +
           std::string(hp::dtype_name(dtype));
  const int digits = dtype == hp::float64 ? 53 : 24;
  const int min_exponent = dtype == hp::float64 ? -1021 : -125;
  const std::vector<double> v = got.to_vector<double>();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const long double w = want[i];
    bool ok;
    // Compared as the dtype rounds it: beyond its range the result is infinite.
    const double rounded = dtype == hp::float64 ? static_cast<double>(w) : static_cast<float>(w);
    if (std::isnan(w)) {
      ok = std::isnan(v[i]);
    } else if (std::isinf(rounded)) {
      ok = v[i] == rounded;
    } else {
      const int exponent = w == 0 ? min_exponent : std::max(std::ilogb(w) + 1, min_exponent);
      const long double ulp = std::ldexp(1.0L, exponent - digits);
      ok = std::fabs(static_cast<long double>(v[i]) - w) <= ulps * ulp;
    }
    if (!ok) {
      return "got " + describe(got) + ", element " + std::to_string(i) + " is " + std::to_string(v[i]) +
             ", expected " + std::to_string(static_cast<double>(w));
    }
  }
  return "";
}

/// op(x) over `points` in float64 and float32 against `reference` in long
/// double: within `ulps` (float32: rounded from the long double value).
void check_unary(UnaryOp op, const std::vector<double>& points, const LongFn& reference, double ulps) {
  const hp::Var x = hp::vector("x"), f = hp::vector("f", hp::float32);
  std::vector<long double> want64, want32;
  std::vector<float> points32;
  for (double p : points) {
    want64.push_back(reference(p));
    points32.push_back(static_cast<float>(p));
    want32.push_back(reference(static_cast<float>(p)));
  }
  CHECK(within_ulps(eval_nonfinite(op(x), {{x, hp::array(points)}}), hp::float64, want64, ulps) == "");
  CHECK(within_ulps(eval_nonfinite(op(f), {{f, hp::array(points32)}}), hp::float32, want32, ulps) == "");
}

/// Exact special values, float64 and float32 (signed zeros must match in sign).
void check_special(UnaryOp op, const std::vector<double>& points, const std::vector<double>& want) {
  const hp::Var x = hp::vector("x"), f = hp::vector("f", hp::float32);
  std::vector<float> points32(points.begin(), points.end());
  const hp::Array got64 = eval_nonfinite(op(x), {{x, hp::array(points)}});
  const hp::Array got32 = eval_nonfinite(op(f), {{f, hp::array(points32)}});
  for (const hp::Array& got : {got64, got32}) {
    const std::vector<double> v = got.to_vector<double>();
    REQUIRE(v.size() == want.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      // float32 results are compared with the expected value rounded to float32.
      const double w = got.dtype() == hp::float32 ? static_cast<float>(want[i]) : want[i];
      const bool same = std::isnan(w) ? std::isnan(v[i]) : v[i] == w && std::signbit(v[i]) == std::signbit(w);
      CHECK_MESSAGE(same, "at ", points[i], ": got ", v[i], ", expected ", w, " (", describe(got), ")");
    }
  }
}

const std::vector<double> kAngles = {-7.5, -3.0, -1.2, -0.5, -1e-5, 0.25, 0.7853981633974483, 1.0, 2.5, 100.0, 1e6};

}  // namespace

TEST_CASE("sin, cos and tan against the C library, with their zeros and NaN at infinities") {
  check_unary(hp::sin, kAngles, [](long double v) { return std::sin(v); }, 2);
  check_unary(hp::cos, kAngles, [](long double v) { return std::cos(v); }, 2);
  check_unary(hp::tan, kAngles, [](long double v) { return std::tan(v); }, 2);
  check_special(hp::sin, {0.0, -0.0, kInf, -kInf, kNaN}, {0.0, -0.0, kNaN, kNaN, kNaN});
  check_special(hp::cos, {0.0, -0.0, kInf, kNaN}, {1.0, 1.0, kNaN, kNaN});
  check_special(hp::tan, {0.0, -0.0, kInf, -kInf, kNaN}, {0.0, -0.0, kNaN, kNaN, kNaN});
}

TEST_CASE("arcsin, arccos and arctan: values, the edges of the domain and NaN outside it") {
  const std::vector<double> unit = {-1.0, -0.9, -0.5, -0.3, -1e-8, 0.1, 0.49, 0.51, 0.75, 0.999999, 1.0};
  check_unary(hp::arcsin, unit, [](long double v) { return std::asin(v); }, 2);
  check_unary(hp::arccos, unit, [](long double v) { return std::acos(v); }, 2);
  check_unary(hp::arctan, {-1e300, -50.0, -1.0, -0.4, 1e-200, 0.41, 0.5, 0.99, 2.5, 1e10},
              [](long double v) { return std::atan(v); }, 2);
  check_special(hp::arcsin, {0.0, -0.0, 1.0, -1.0, 1.5, -2.0, kInf, kNaN},
                {0.0, -0.0, 1.5707963267948966, -1.5707963267948966, kNaN, kNaN, kNaN, kNaN});
  check_special(hp::arccos, {1.0, -1.0, 0.0, 1.0000001, -kInf, kNaN},
                {0.0, 3.141592653589793, 1.5707963267948966, kNaN, kNaN, kNaN});
  check_special(hp::arctan, {0.0, -0.0, kInf, -kInf, kNaN},
                {0.0, -0.0, 1.5707963267948966, -1.5707963267948966, kNaN});
}

TEST_CASE("arctan2 of the four quadrants, signed zeros and infinities as numpy") {
  const hp::Var a = hp::vector("a"), b = hp::vector("b");
  const std::vector<double> ys = {1.0, 1.0, -1.0, -1.0, 3.0, 1e-300, 0.0, -0.0, 0.0, -0.0, kInf, kInf, -kInf, 2.0, kNaN};
  const std::vector<double> xs = {1.0, -1.0, -1.0, 1.0, 1e-5, 1e300, 0.0, 0.0, -0.0, -0.0, kInf, -kInf, 1.0, -kInf, 1.0};
  std::vector<long double> want;
  for (std::size_t i = 0; i < ys.size(); ++i) want.push_back(std::atan2(static_cast<long double>(ys[i]), xs[i]));
  const hp::Array got = eval_nonfinite(hp::arctan2(a, b), {{a, hp::array(ys)}, {b, hp::array(xs)}});
  CHECK(within_ulps(got, hp::float64, want, 2) == "");
  CHECK(std::signbit(got.get_flat_double(7)));  // arctan2(-0, 0) = -0
  CHECK(got.get_flat_double(8) == 3.141592653589793);
  CHECK(got.get_flat_double(11) == 3 * 0.7853981633974483);
  // Broadcast against a row, float32 operands, and integers going to float64.
  const hp::Var m = hp::matrix("m", hp::float32), r = hp::vector("r", hp::float32);
  const hp::Array got32 = hp::arctan2(m, r).eval(
      {{m, hp::array({{1.0f, -2.0f}, {0.5f, 0.0f}})}, {r, hp::array({-1.0f, 3.0f})}});
  CHECK(within_ulps(got32, hp::float32, {std::atan2(1.0L, -1.0L), std::atan2(-2.0L, 3.0L), std::atan2(0.5L, -1.0L), 0.0L}, 1) == "");
  CHECK(hp::arctan2(hp::vector("i", hp::int32), hp::vector("j", hp::int32)).dtype() == hp::float64);
  CHECK(hp::arctan2(hp::vector("i", hp::int8), hp::vector("j", hp::int8)).dtype() == hp::float32);
}

TEST_CASE("sinh, cosh, arcsinh, arccosh and arctanh, with overflow and the domain edges") {
  const std::vector<double> wide = {-700.0, -30.0, -3.0, -0.5, -1e-10, 1e-300, 0.3, 1.0, 21.9, 22.1, 710.0};
  check_unary(hp::sinh, wide, [](long double v) { return std::sinh(v); }, 2);
  check_unary(hp::cosh, wide, [](long double v) { return std::cosh(v); }, 2);
  check_unary(hp::arcsinh, {-1e300, -1e9, -3.0, -0.5, -1e-20, 0.1, 1.9, 2.1, 1e5, 1e200},
              [](long double v) { return std::asinh(v); }, 2);
  check_unary(hp::arccosh, {1.0, 1.0000001, 1.5, 2.0, 2.5, 1e5, 3e8, 1e300},
              [](long double v) { return std::acosh(v); }, 2);
  check_unary(hp::arctanh, {-0.999999, -0.6, -0.5, -1e-12, 0.2, 0.49, 0.51, 0.9},
              [](long double v) { return std::atanh(v); }, 2);
  check_special(hp::sinh, {0.0, -0.0, 711.0, -711.0, kInf, -kInf, kNaN}, {0.0, -0.0, kInf, -kInf, kInf, -kInf, kNaN});
  check_special(hp::cosh, {0.0, -0.0, 711.0, -kInf, kNaN}, {1.0, 1.0, kInf, kInf, kNaN});
  check_special(hp::arcsinh, {0.0, -0.0, kInf, -kInf, kNaN}, {0.0, -0.0, kInf, -kInf, kNaN});
  check_special(hp::arccosh, {1.0, 0.5, 0.0, -2.0, kInf, kNaN}, {0.0, kNaN, kNaN, kNaN, kInf, kNaN});
  check_special(hp::arctanh, {0.0, -0.0, 1.0, -1.0, 1.5, -kInf, kNaN}, {0.0, -0.0, kInf, -kInf, kNaN, kNaN, kNaN});
}

TEST_CASE("exp2, expm1, log2 and log10: exact powers, overflow, underflow and the domain") {
  check_unary(hp::exp2, {-1074.0, -1022.5, -3.5, -0.1, 1e-20, 0.5, 10.3, 1023.9},
              [](long double v) { return std::exp2(v); }, 1);
  check_unary(hp::expm1, {-40.0, -1.0, -1e-3, -1e-300, 1e-10, 0.3, 5.0, 709.0},
              [](long double v) { return std::expm1(v); }, 2);
  check_unary(hp::log2, {1e-310, 1e-300, 0.1, 0.75, 1.5, 3.0, 1e100, 1.7e308},
              [](long double v) { return std::log2(v); }, 1);
  check_unary(hp::log10, {1e-310, 3e-200, 0.3, 0.99, 1.01, 7.0, 5e50, 1.7e308},
              [](long double v) { return std::log10(v); }, 1);
  check_special(hp::exp2, {0.0, -0.0, 3.0, -2.0, 1024.0, -1080.0, kInf, -kInf, kNaN},
                {1.0, 1.0, 8.0, 0.25, kInf, 0.0, kInf, 0.0, kNaN});
  check_special(hp::expm1, {0.0, -0.0, kInf, -kInf, kNaN}, {0.0, -0.0, kInf, -1.0, kNaN});
  check_special(hp::log2, {1.0, 8.0, 0.125, 0.0, -0.0, -1.0, kInf, kNaN}, {0.0, 3.0, -3.0, -kInf, -kInf, kNaN, kInf, kNaN});
  check_special(hp::log10, {1.0, 1000.0, 0.01, 0.0, -5.0, kInf, kNaN}, {0.0, 3.0, -2.0, -kInf, kNaN, kInf, kNaN});
}

TEST_CASE("erf and erfc; erfc keeps its relative accuracy far in the tail") {
  check_unary(hp::erf, {-5.0, -1.5, -0.7, -1e-10, 0.3, 0.99, 1.01, 2.5, 6.5},
              [](long double v) { return std::erf(v); }, 2);
  check_unary(hp::erfc, {-6.0, -2.0, -0.6, -0.1, 0.0, 0.45, 0.55, 1.2, 3.9, 4.1, 9.0},
              [](long double v) { return std::erfc(v); }, 4);
  // Where 1 - erf(x) is 0 in float64: erfc(10), erfc(26) (float32: up to 9).
  const hp::Var x = hp::vector("x");
  CHECK(within_ulps(eval_nonfinite(hp::erfc(x), {{x, hp::array({10.0, 15.0, 26.0})}}), hp::float64,
                    {std::erfc(10.0L), std::erfc(15.0L), std::erfc(26.0L)}, 4) == "");
  check_special(hp::erf, {0.0, -0.0, kInf, -kInf, kNaN}, {0.0, -0.0, 1.0, -1.0, kNaN});
  check_special(hp::erfc, {0.0, kInf, -kInf, 30.0, -30.0, kNaN}, {1.0, 0.0, 2.0, 0.0, 2.0, kNaN});
}

TEST_CASE("erfinv and erfcinv: values from mpmath, infinities at the ends, NaN outside") {
  const hp::Var x = hp::vector("x"), f = hp::vector("f", hp::float32);
  // mpmath.erfinv / mpmath.erfinv(1 - z), 20 digits.
  const std::vector<double> p = {0.5, -0.9, 0.999, 1e-10, 0.1};
  const std::vector<long double> erfinv_values = {0.476936276204469873381L, -1.16308715367667416284L,
                                                  2.32675376551352449387L, 8.86226925452758045939e-11L,
                                                  0.0888559904942576919743L};
  CHECK(within_ulps(eval_nonfinite(hp::erfinv(x), {{x, hp::array(p)}}), hp::float64, erfinv_values, 2) == "");
  CHECK(within_ulps(eval_nonfinite(hp::erfinv(f), {{f, hp::array({0.5f, -0.9f})}}), hp::float32,
                    {erfinv_values[0], erfinv_values[1]}, 1) == "");
  const std::vector<double> z = {1e-300, 1e-10, 0.5, 1.5, 1.9999};
  const std::vector<long double> erfcinv_values = {26.2094699605161238855L, 4.57282496738948527485L,
                                                   0.476936276204469873381L, -0.476936276204469873381L,
                                                   -2.75106390571207969174L};
  CHECK(within_ulps(eval_nonfinite(hp::erfcinv(x), {{x, hp::array(z)}}), hp::float64, erfcinv_values, 2) == "");
  check_special(hp::erfinv, {0.0, -0.0, 1.0, -1.0, 1.5, kNaN}, {0.0, -0.0, kInf, -kInf, kNaN, kNaN});
  check_special(hp::erfcinv, {1.0, 0.0, 2.0, -0.5, 2.5, kNaN}, {0.0, kInf, -kInf, kNaN, kNaN, kNaN});
}

TEST_CASE("gammaln is log|Gamma|: values, its zeros at 1 and 2, inf at the poles") {
  check_unary(hp::gammaln, {1e-300, 1e-5, 0.3, 0.9, 1.1, 1.7, 2.5, 3.5, 7.9, 8.1, 100.0, 1e10, 1e300},
              [](long double v) { return std::lgamma(v); }, 3);
  // Negative arguments (reflection), away from lgamma's negative zeros.
  check_unary(hp::gammaln, {-0.1, -0.5, -1.5, -3.3, -10.5, -100.25},
              [](long double v) { return std::lgamma(v); }, 4);
  check_special(hp::gammaln, {1.0, 2.0, 0.0, -0.0, -1.0, -2.0, -100.0, kInf, -kInf, kNaN},
                {0.0, 0.0, kInf, kInf, kInf, kInf, kInf, kInf, kInf, kNaN});
  // gammaln(0.5) = log(sqrt(pi)), gammaln(3) = log 2, in float32 too.
  const hp::Var f = hp::vector("f", hp::float32);
  CHECK(within_ulps(hp::gammaln(f).eval({{f, hp::array({0.5f, 3.0f})}}), hp::float32,
                    {0.57236494292470008707L, 0.69314718055994530942L}, 1) == "");
}

TEST_CASE("psi(inf) is inf inside a vectorised loop too") {
  // Found by hypatia-fuzz --seed 950: the vector loop gave NaN for +inf where a short one gave inf.
  const hp::Var t = hp::vector("t");
  std::vector<double> v(64, 2.5);
  v[5] = v[41] = v[63] = kInf;
  const hp::Array out = eval_nonfinite(hp::psi(t), {{t, hp::array(v)}});
  CHECK(out.get_flat_double(5) == kInf);
  CHECK(out.get_flat_double(41) == kInf);
  CHECK(out.get_flat_double(63) == kInf);
  CHECK(std::isfinite(out.get_flat_double(0)));
  // Tiny negative arguments: psi(x) ~ -1/x, +inf where that overflows (not NaN).
  const hp::Array tiny = eval_nonfinite(hp::psi(t), {{t, hp::array({-1e-310, -4.9e-324, -1e-300})}});
  CHECK(tiny.get_flat_double(0) == kInf);
  CHECK(tiny.get_flat_double(1) == kInf);
  CHECK(tiny.get_flat_double(2) == doctest::Approx(1e300).epsilon(1e-15));
}

TEST_CASE("psi: values from mpmath, near its positive root, NaN at the poles") {
  const hp::Var x = hp::vector("x"), f = hp::vector("f", hp::float32);
  // mpmath.digamma, 20 digits: psi(1) = -euler, psi(0.5) = -euler - 2 log 2.
  const std::vector<double> p = {1.0, 0.5, 1.4616321449683623, 1.5, 3.0, 1e-8, 12.5, 1e6};
  const std::vector<long double> want = {-0.577215664901532860607L, -1.96351002602142347944L,
                                         -9.2412655217294274792e-17L, 0.036489973978576520559L,
                                         0.922784335098467139393L, -100000000.57721564636L,
                                         2.48519565127491204815L, 13.8155100579641907708L};
  CHECK(within_ulps(eval_nonfinite(hp::psi(x), {{x, hp::array(p)}}), hp::float64, want, 3) == "");
  // Negative arguments: psi(-x) - 1/x - pi cot(pi x), whose error is absolute
  // (a few ulp of its largest term, here 1/x = 2): psi(-0.5) = psi(1.5) cancels 54-fold.
  const hp::Array negative = eval_nonfinite(hp::psi(x), {{x, hp::array({-0.5, -2.5})}});
  CHECK(std::fabs(negative.get_flat_double(0) - 0.036489973978576520559L) < 4 * 0x1p-51);
  CHECK(std::fabs(negative.get_flat_double(1) - 1.10315664064524318723L) < 4 * 0x1p-51);
  CHECK(within_ulps(eval_nonfinite(hp::psi(f), {{f, hp::array({1.0f, 3.0f})}}), hp::float32,
                    {want[0], want[4]}, 1) == "");
  check_special(hp::psi, {0.0, -0.0, -1.0, -7.0, kInf, -kInf, kNaN}, {kNaN, kNaN, kNaN, kNaN, kInf, kNaN, kNaN});
}

TEST_CASE("hypot without overflow or underflow, and inf beats NaN") {
  const hp::Var a = hp::vector("a"), b = hp::vector("b");
  const std::vector<double> as = {3.0, -5.0, 1e300, 1e-300, 0.0, -0.0, kInf, kNaN, 1.0};
  const std::vector<double> bs = {4.0, 12.0, 1e300, -1e-300, 0.0, 2.0, kNaN, -kInf, kNaN};
  std::vector<long double> want;
  for (std::size_t i = 0; i < as.size(); ++i) want.push_back(std::hypot(static_cast<long double>(as[i]), bs[i]));
  CHECK(within_ulps(eval_nonfinite(hp::hypot(a, b), {{a, hp::array(as)}, {b, hp::array(bs)}}), hp::float64, want, 1) == "");
  const hp::Var f = hp::vector("f", hp::float32);
  CHECK(within_ulps(hp::hypot(f, 4.0).eval({{f, hp::array({3.0f, 3e38f})}}), hp::float32,
                    {5.0L, std::hypot(static_cast<long double>(3e38f), 4.0L)}, 1) == "");
}

TEST_CASE("logaddexp without overflow; equal infinities stay infinite") {
  const hp::Var a = hp::vector("a"), b = hp::vector("b");
  const std::vector<double> as = {0.0, 1000.0, -1000.0, 3.0, -2.0, kInf, -kInf, -kInf, kInf, kNaN};
  const std::vector<double> bs = {0.0, 1000.0, -999.0, -40.0, 5.0, kInf, -kInf, 2.0, -kInf, 1.0};
  std::vector<long double> want;
  for (std::size_t i = 0; i < 5; ++i) {
    const long double hi = std::max(as[i], bs[i]), lo = std::min(as[i], bs[i]);
    want.push_back(hi + std::log1p(std::exp(lo - hi)));
  }
  for (long double w : {kInf, -kInf, 2.0, kInf, kNaN}) want.push_back(w);
  CHECK(within_ulps(eval_nonfinite(hp::logaddexp(a, b), {{a, hp::array(as)}, {b, hp::array(bs)}}), hp::float64, want, 1) == "");
  const hp::Var f = hp::vector("f", hp::float32);
  CHECK(within_ulps(hp::logaddexp(f, 100.0).eval({{f, hp::array({100.0f, 0.0f})}}), hp::float32,
                    {100.69314718055994531L, 100.0L}, 1) == "");
}

TEST_CASE("integers become floats as for exp; the new ops fuse into one loop") {
  const hp::Var i = hp::vector("i", hp::int32), s = hp::vector("s", hp::int16);
  for (UnaryOp op : {hp::sin, hp::arctanh, hp::exp2, hp::erfinv, hp::gammaln, hp::psi}) {
    CHECK(op(i).dtype() == hp::float64);
    CHECK(op(s).dtype() == hp::float32);
  }
  CHECK(hp::hypot(i, i).dtype() == hp::float64);
  CHECK(hp::logaddexp(s, s).dtype() == hp::float32);
  const hp::Array got = hp::log2(i).eval({{i, hp::array({1, 1024})}});
  CHECK(within_ulps(got, hp::float64, {0.0L, 10.0L}, 0) == "");
  // A chain of the new functions in one expression: values as std:: gives them.
  const hp::Var x = hp::vector("x");
  const hp::Var chain = hp::cosh(hp::arcsinh(hp::sin(x))) + hp::erfc(hp::log10(x)) * hp::gammaln(x);
  std::vector<long double> want;
  for (long double v : {0.5L, 2.0L, 30.0L})
    want.push_back(std::cosh(std::asinh(std::sin(v))) + std::erfc(std::log10(v)) * std::lgamma(v));
  CHECK(within_ulps(chain.eval({{x, hp::array({0.5, 2.0, 30.0})}}), hp::float64, want, 8) == "");
}

TEST_CASE("the gradient of psi is undefined: grad names the op; gammaln's gradient is psi") {
  const hp::Var x = hp::vector("x");
  CHECK_THROWS_WITH_AS(hp::grad(hp::sum(hp::psi(x)), x), doctest::Contains("trigamma"), hp::Error);
  const hp::Var g = hp::grad(hp::sum(hp::gammaln(x)), x);
  CHECK(within_ulps(g.eval({{x, hp::array({3.0, 1.0})}}), hp::float64,
                    {0.92278433509846713939L, -0.57721566490153286061L}, 3) == "");
}
