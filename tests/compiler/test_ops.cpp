// The result of every op (Var::eval): values, dtype and shape. eval compiles
// in the default mode: FastRun's generated code, and in the _debug rerun the
// reference evaluator cross-checked against it; results that are inf or nan
// (which Debug mode raises on) go through eval_nonfinite, which compares the
// two itself. Each expected number here is written out by hand (checked
// against numpy), never computed by the code under test.
//
// exact(...) and close(...) return "" when a result matches and a
// description of the difference otherwise, so a failing CHECK(... == "")
// prints what was wrong.
#include <doctest/doctest.h>

#include <cmath>
#include <hypatia/hypatia.hpp>

#include "compiler/reference/evaluate.hpp"
#include "tests/support/nonfinite.hpp"
#include "tests/support/test_support.hpp"
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace hp = hypatia;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using hypatia_test::describe;
using hypatia_test::eval_nonfinite;

std::string wrong_type_or_shape(const hp::Array& got, hp::DType dtype, const hp::Shape& shape) {
  if (got.dtype() == dtype && got.shape() == shape) return "";
  return "got " + describe(got) + ", expected dtype " + std::string(hp::dtype_name(dtype));
}

/// "" when `got` has this dtype, shape and exactly these C-order values (NaN matches NaN).
std::string exact(const hp::Array& got, hp::DType dtype, const hp::Shape& shape,
                  const std::vector<double>& values) {
  if (auto bad = wrong_type_or_shape(got, dtype, shape); !bad.empty()) return bad;
  const std::vector<double> v = got.to_vector<double>();
  for (std::size_t i = 0; i < values.size() && i < v.size(); ++i) {
    const bool same = v[i] == values[i] || (std::isnan(v[i]) && std::isnan(values[i]));
    if (!same) return "got " + describe(got) + ", element " + std::to_string(i) + " differs";
  }
  if (v.size() != values.size())
    return "got " + describe(got) + ", wrong number of expected values";
  return "";
}

/// "" when `got` has this dtype and shape and hp::allclose(got, values, rtol).
std::string close(const hp::Array& got, hp::DType dtype, const hp::Shape& shape,
                  const std::vector<double>& values, double rtol = 1e-7) {
  if (auto bad = wrong_type_or_shape(got, dtype, shape); !bad.empty()) return bad;
  if (hp::allclose(got, hp::array(values, shape, hp::float64), rtol, 1e-12)) return "";
  return "got " + describe(got) + ", not close to the expected values";
}

/// [[1, 2, 3], [4, 5, 6]] as float64.
hp::Array m23() { return hp::array({{1., 2., 3.}, {4., 5., 6.}}); }

/// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] as float64.
hp::Array m34() { return hp::array({{0., 1., 2., 3.}, {4., 5., 6., 7.}, {8., 9., 10., 11.}}); }

}  // namespace

// ============================================================================
// Elementwise arithmetic
// ============================================================================

TEST_CASE("add, sub, mul and true_div of float64 matrices") {
  hp::Var x = hp::matrix("x"), y = hp::matrix("y");
  const hp::Array a = m23(), b = hp::array({{6., 5., 4.}, {3., 2., 1.}});
  CHECK(exact(hp::add(x, y).eval({{x, a}, {y, b}}), hp::float64, {2, 3}, {7, 7, 7, 7, 7, 7}) == "");
  CHECK(exact(hp::sub(x, y).eval({{x, a}, {y, b}}), hp::float64, {2, 3}, {-5, -3, -1, 1, 3, 5}) ==
        "");
  CHECK(exact(hp::mul(x, y).eval({{x, a}, {y, b}}), hp::float64, {2, 3}, {6, 10, 12, 12, 10, 6}) ==
        "");
  CHECK(close(hp::true_div(x, y).eval({{x, a}, {y, b}}), hp::float64, {2, 3},
              {1.0 / 6, 0.4, 0.75, 4.0 / 3, 2.5, 6}) == "");
}

TEST_CASE("the C++ operators build the same arithmetic") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const hp::Array a = hp::array({7., -7., 2.}), b = hp::array({2., 2., -4.});
  const std::vector<std::pair<hp::Var, hp::Array>> givens = {{x, a}, {y, b}};
  CHECK(exact((x + y).eval(givens), hp::float64, {3}, {9, -5, -2}) == "");
  CHECK(exact((x - y).eval(givens), hp::float64, {3}, {5, -9, 6}) == "");
  CHECK(exact((x * y).eval(givens), hp::float64, {3}, {14, -14, -8}) == "");
  CHECK(exact((x / y).eval(givens), hp::float64, {3}, {3.5, -3.5, -0.5}) == "");
  CHECK(exact((x % y).eval(givens), hp::float64, {3}, {1, 1, -2}) == "");
  CHECK(exact((-x).eval({{x, a}}), hp::float64, {3}, {-7, 7, -2}) == "");
}

TEST_CASE("float32 arithmetic stays float32") {
  hp::Var x = hp::vector("x", hp::float32), y = hp::vector("y", hp::float32);
  const hp::Array a = hp::array({1., 2., 3.}, hp::float32),
                  b = hp::array({3., 3., 3.}, hp::float32);
  hp::Array q = (x / y).eval({{x, a}, {y, b}});
  // float32(1/3), float32(2/3), 1 as numpy.float32 prints them.
  CHECK(exact(q, hp::float32, {3}, {0.3333333432674408, 0.6666666865348816, 1.0}) == "");
  CHECK(exact((x * y - x).eval({{x, a}, {y, b}}), hp::float32, {3}, {2, 4, 6}) == "");
}

TEST_CASE("integer arithmetic keeps the integer dtype") {
  hp::Var x = hp::vector("x", hp::int32), y = hp::vector("y", hp::int32);
  const hp::Array a = hp::array({7, -7, 3}), b = hp::array({2, 2, -5});
  CHECK(exact((x + y).eval({{x, a}, {y, b}}), hp::int32, {3}, {9, -5, -2}) == "");
  CHECK(exact((x - y).eval({{x, a}, {y, b}}), hp::int32, {3}, {5, -9, 8}) == "");
  CHECK(exact((x * y).eval({{x, a}, {y, b}}), hp::int32, {3}, {14, -14, -15}) == "");
  CHECK(exact((-x).eval({{x, a}}), hp::int32, {3}, {-7, 7, -3}) == "");
}

TEST_CASE("int8 arithmetic wraps around as numpy's: 127 + 1 == -128") {
  hp::Var x = hp::vector("x", hp::int8);
  const hp::Array a = hp::array({127, -128, 100}, hp::int8);
  CHECK(exact((x + 1).eval({{x, a}}), hp::int8, {3}, {-128, -127, 101}) == "");
  CHECK(exact((x * 2).eval({{x, a}}), hp::int8, {3}, {-2, 0, -56}) == "");
  CHECK(exact((-x).eval({{x, a}}), hp::int8, {3}, {-127, -128, -100}) == "");
  CHECK(exact((x - 1).eval({{x, a}}), hp::int8, {3}, {126, 127, 99}) == "");
}

TEST_CASE("integer floor division and modulo follow Python with negative operands") {
  hp::Var x = hp::vector("x", hp::int32), y = hp::vector("y", hp::int32);
  const hp::Array a = hp::array({7, -7, 7, -7, 0}), b = hp::array({2, 2, -2, -2, 3});
  CHECK(exact(hp::int_div(x, y).eval({{x, a}, {y, b}}), hp::int32, {5}, {3, -4, -4, 3, 0}) == "");
  CHECK(exact(hp::mod(x, y).eval({{x, a}, {y, b}}), hp::int32, {5}, {1, 1, -1, -1, 0}) == "");
  CHECK(exact((x % y).eval({{x, a}, {y, b}}), hp::int32, {5}, {1, 1, -1, -1, 0}) == "");
}

TEST_CASE("float floor division and modulo follow Python with negative operands") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const hp::Array a = hp::array({7.5, -7.5, 7.5, -7.5}), b = hp::array({2., 2., -2., -2.});
  CHECK(exact(hp::int_div(x, y).eval({{x, a}, {y, b}}), hp::float64, {4}, {3, -4, -4, 3}) == "");
  CHECK(exact(hp::mod(x, y).eval({{x, a}, {y, b}}), hp::float64, {4}, {1.5, 0.5, -0.5, -1.5}) ==
        "");
}

TEST_CASE("float floor division agrees with modulo where a / b rounds to an integer") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const hp::Array a = hp::array({1., -1., 1.}), b = hp::array({0.1, 0.1, -0.1});
  // 1 / 0.1 rounds to 10.0, but 0.1 (a double a bit above 1/10) fits 9 times into 1.
  CHECK(exact(hp::int_div(x, y).eval({{x, a}, {y, b}}), hp::float64, {3}, {9, -10, -10}) == "");
  CHECK(exact(hp::mod(x, y).eval({{x, a}, {y, b}}), hp::float64, {3},
              {0.09999999999999995, 5.551115123125783e-17, -5.551115123125783e-17}) == "");
}

TEST_CASE("float floor division and modulo by zero give inf and nan, as numpy") {
  hp::Var x = hp::vector("x");
  const hp::Array a = hp::array({1., -1., 0.});
  CHECK(exact(eval_nonfinite(hp::int_div(x, 0.0), {{x, a}}), hp::float64, {3}, {kInf, -kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::mod(x, 0.0), {{x, a}}), hp::float64, {3}, {kNaN, kNaN, kNaN}) == "");
}

TEST_CASE("a float remainder of zero takes the divisor's sign, as numpy") {
  hp::Var x = hp::vector("x");
  hp::Array r = hp::mod(x, -2.0).eval({{x, hp::array({4., -4.})}});
  CHECK(exact(r, hp::float64, {2}, {0, 0}) == "");
  CHECK(std::signbit(r.item<double>(0)));
  CHECK(std::signbit(r.item<double>(1)));
  CHECK_FALSE(std::signbit(hp::mod(x, 2.0).eval({{x, hp::array({-4.})}}).item<double>(0)));
}

TEST_CASE("int8 floor division of -128 by -1 wraps instead of trapping") {
  hp::Var x = hp::vector("x", hp::int8);
  const hp::Array a = hp::array({-128, 5}, hp::int8);
  CHECK(exact(hp::int_div(x, -1).eval({{x, a}}), hp::int8, {2}, {-128, -5}) == "");
  CHECK(exact(hp::mod(x, -1).eval({{x, a}}), hp::int8, {2}, {0, 0}) == "");
}

TEST_CASE("integer division or modulo by zero raises InvalidValueError") {
  hp::Var x = hp::vector("x", hp::int32), y = hp::vector("y", hp::int32);
  const hp::Array a = hp::array({1, 2}), b = hp::array({1, 0});
  CHECK_THROWS_AS(hp::int_div(x, y).eval({{x, a}, {y, b}}), hp::InvalidValueError);
  CHECK_THROWS_AS(hp::mod(x, y).eval({{x, a}, {y, b}}), hp::InvalidValueError);
  CHECK_THROWS_WITH_AS(hp::int_div(x, y).eval({{x, a}, {y, b}}),
                       doctest::Contains("division by zero"), hp::InvalidValueError);
}

TEST_CASE("true division of integers by zero gives inf and nan, as numpy") {
  hp::Var x = hp::vector("x", hp::int32), y = hp::vector("y", hp::int32);
  hp::Array r = eval_nonfinite(x / y, {{x, hp::array({1, -1, 0})}, {y, hp::array({0, 0, 0})}});
  CHECK(exact(r, hp::float64, {3}, {kInf, -kInf, kNaN}) == "");
}

TEST_CASE("float division by zero gives inf and nan") {
  hp::Var x = hp::vector("x");
  CHECK(exact(eval_nonfinite(x / 0.0, {{x, hp::array({1., -1., 0.})}}), hp::float64, {3},
              {kInf, -kInf, kNaN}) == "");
}

TEST_CASE("pow of floats and of integers") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  CHECK(close(hp::pow(x, y).eval({{x, hp::array({2., 3., 4.})}, {y, hp::array({3., 0.5, -1.})}}),
              hp::float64, {3}, {8, 1.7320508075688772, 0.25}) == "");
  hp::Var i = hp::vector("i", hp::int32);
  CHECK(exact(hp::pow(i, 3).eval({{i, hp::array({2, -3, 0})}}), hp::int32, {3}, {8, -27, 0}) == "");
  CHECK(exact(hp::pow(i, 0).eval({{i, hp::array({2, 0})}}), hp::int32, {2}, {1, 1}) == "");
}

TEST_CASE("int8 pow wraps around: 2 ** 7 == -128") {
  hp::Var i = hp::vector("i", hp::int8);
  CHECK(exact(hp::pow(i, 7).eval({{i, hp::array({2, 1}, hp::int8)}}), hp::int8, {2}, {-128, 1}) ==
        "");
}

TEST_CASE("an integer to a negative integer power raises InvalidValueError") {
  hp::Var i = hp::vector("i", hp::int32), e = hp::vector("e", hp::int32);
  CHECK_THROWS_AS(hp::pow(i, e).eval({{i, hp::array({2, 2})}, {e, hp::array({1, -1})}}),
                  hp::InvalidValueError);
  CHECK_THROWS_AS(hp::pow(i, -1).eval({{i, hp::array({1})}}), hp::InvalidValueError);
}

TEST_CASE("an integer to a float power is a float") {
  hp::Var i = hp::vector("i", hp::int32);
  hp::Var r = hp::pow(i, 0.5);
  CHECK(r.dtype() == hp::float64);
  CHECK(exact(r.eval({{i, hp::array({4, 9})}}), hp::float64, {2}, {2, 3}) == "");
}

// ============================================================================
// Elementwise math
// ============================================================================

TEST_CASE("exp, log and log1p, with log(0) == -inf and log(-1) nan") {
  hp::Var x = hp::vector("x");
  CHECK(close(hp::exp(x).eval({{x, hp::array({0., 1., -kInf, 2.})}}), hp::float64, {4},
              {1, 2.718281828459045, 0, 7.38905609893065}) == "");
  CHECK(exact(eval_nonfinite(hp::log(x), {{x, hp::array({1., 0., -1.})}}), hp::float64, {3},
              {0, -kInf, kNaN}) == "");
  CHECK(close(hp::log(x).eval({{x, hp::array({2.718281828459045, 10.})}}), hp::float64, {2},
              {1, 2.302585092994046}) == "");
  // log1p keeps the digits log(1 + x) loses.
  CHECK(exact(eval_nonfinite(hp::log1p(x), {{x, hp::array({0., 1e-20, -1.})}}), hp::float64, {3},
              {0, 1e-20, -kInf}) == "");
  CHECK(close(hp::log1p(x).eval({{x, hp::array({1.})}}), hp::float64, {1}, {0.6931471805599453}) ==
        "");
}

TEST_CASE("sqrt, with sqrt(-1) nan") {
  hp::Var x = hp::vector("x");
  CHECK(exact(eval_nonfinite(hp::sqrt(x), {{x, hp::array({4., 2., 0., -1., kInf})}}), hp::float64, {5},
              {2, 1.4142135623730951, 0, kNaN, kInf}) == "");
}

TEST_CASE("sqr and abs of floats and integers") {
  hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int8);
  CHECK(exact(hp::sqr(x).eval({{x, hp::array({-3., 1.5, 0.})}}), hp::float64, {3}, {9, 2.25, 0}) ==
        "");
  CHECK(exact(hp::sqr(i).eval({{i, hp::array({-3, 16, 12}, hp::int8)}}), hp::int8, {3},
              {9, 0, -112}) == "");
  CHECK(exact(eval_nonfinite(hp::abs(x), {{x, hp::array({-2.5, 0., 3., -kInf})}}), hp::float64, {4},
              {2.5, 0, 3, kInf}) == "");
  CHECK(exact(hp::abs(i).eval({{i, hp::array({-3, 5, -128}, hp::int8)}}), hp::int8, {3},
              {3, 5, -128}) == "");
}

TEST_CASE("floor, ceil, trunc and round (half to even, as numpy), with signed zeros and non-finite values") {
  const hp::Var x = hp::vector("x");
  const hp::Array v = hp::array({-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.2, -0.0, kInf, -kInf, kNaN});
  CHECK(exact(eval_nonfinite(hp::floor(x), {{x, v}}), hp::float64, {12},
              {-3, -2, -1, 0, 1, 2, -2, 1, -0.0, kInf, -kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::ceil(x), {{x, v}}), hp::float64, {12},
              {-2, -1, -0.0, 1, 2, 3, -1, 2, -0.0, kInf, -kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::trunc(x), {{x, v}}), hp::float64, {12},
              {-2, -1, -0.0, 0, 1, 2, -1, 1, -0.0, kInf, -kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::round(x), {{x, v}}), hp::float64, {12},
              {-2, -2, -0.0, 0, 2, 2, -2, 1, -0.0, kInf, -kInf, kNaN}) == "");
  // The sign of a zero result is kept: ceil(-0.5) is -0.0, as numpy.
  CHECK(std::signbit(eval_nonfinite(hp::ceil(x), {{x, v}}).get_flat_double(2)));
  CHECK(std::signbit(eval_nonfinite(hp::round(x), {{x, v}}).get_flat_double(2)));
  // Beyond 2^52 every double is an integer; float32 rounds in float32.
  const hp::Var f = hp::vector("f", hp::float32);
  CHECK(exact(hp::round(x).eval({{x, hp::array({4503599627370497.0, 1e300})}}), hp::float64, {2},
              {4503599627370497.0, 1e300}) == "");
  CHECK(exact(hp::round(f).eval({{f, hp::array({2.5f, 3.5f, -0.5f, 8388609.0f})}}), hp::float32, {4},
              {2, 4, -0.0, 8388609}) == "");
  // Integers become floats first, as Theano (floor of an int32 is float64, of an int8 float32).
  const hp::Var i = hp::vector("i", hp::int32), b = hp::vector("b", hp::int8);
  CHECK(exact(hp::floor(i).eval({{i, hp::array({-3, 7})}}), hp::float64, {2}, {-3, 7}) == "");
  CHECK(hp::round(b).dtype() == hp::float32);
}

TEST_CASE("sign of floats and integers; not defined on bool") {
  const hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int8);
  CHECK(exact(eval_nonfinite(hp::sign(x), {{x, hp::array({-2.5, -0.0, 0.0, 3.0, -kInf, kInf, kNaN})}}),
              hp::float64, {7}, {-1, 0, 0, 1, -1, 1, kNaN}) == "");
  CHECK_FALSE(std::signbit(hp::sign(x).eval({{x, hp::array({-0.0})}}).get_flat_double(0)));  // numpy: sign(-0.0) = 0.0
  CHECK(exact(hp::sign(i).eval({{i, hp::array({-128, -1, 0, 1, 127}, hp::int8)}}), hp::int8, {5},
              {-1, -1, 0, 1, 1}) == "");
  CHECK_THROWS_AS(hp::sign(hp::vector("m", hp::bool_)), hp::TypeError);
}

TEST_CASE("reciprocal, deg2rad and rad2deg") {
  const hp::Var x = hp::vector("x");
  CHECK(exact(eval_nonfinite(hp::reciprocal(x), {{x, hp::array({2.0, -4.0, 0.0, -0.0, kInf})}}), hp::float64, {5},
              {0.5, -0.25, kInf, -kInf, 0}) == "");
  CHECK(hp::reciprocal(hp::vector("i", hp::int16)).dtype() == hp::float32);
  CHECK(close(hp::deg2rad(x).eval({{x, hp::array({180.0, -90.0, 0.0, 1.0})}}), hp::float64, {4},
              {3.141592653589793, -1.5707963267948966, 0, 0.017453292519943295}, 1e-15) == "");
  CHECK(close(hp::rad2deg(x).eval({{x, hp::array({3.141592653589793, -1.0})}}), hp::float64, {2},
              {180.0, -57.29577951308232}, 1e-15) == "");
  const hp::Var f = hp::vector("f", hp::float32);
  CHECK(close(hp::deg2rad(f).eval({{f, hp::array({90.0f})}}), hp::float32, {1}, {1.5707963267948966}, 1e-7) == "");
}

TEST_CASE("isnan, isinf and isfinite give bool tensors; integers are always finite") {
  const hp::Var x = hp::vector("x"), f = hp::vector("f", hp::float32), i = hp::vector("i", hp::int64);
  const hp::Array v = hp::array({0.0, -1.5, kInf, -kInf, kNaN, 1e308});
  CHECK(exact(eval_nonfinite(hp::isnan(x), {{x, v}}), hp::bool_, {6}, {0, 0, 0, 0, 1, 0}) == "");
  CHECK(exact(eval_nonfinite(hp::isinf(x), {{x, v}}), hp::bool_, {6}, {0, 0, 1, 1, 0, 0}) == "");
  CHECK(exact(eval_nonfinite(hp::isfinite(x), {{x, v}}), hp::bool_, {6}, {1, 1, 0, 0, 0, 1}) == "");
  const hp::Array vf = hp::array({3e38f, std::numeric_limits<float>::infinity(), std::nanf("")});
  CHECK(exact(eval_nonfinite(hp::isfinite(f), {{f, vf}}), hp::bool_, {3}, {1, 0, 0}) == "");
  CHECK(exact(eval_nonfinite(hp::isinf(f * 10), {{f, vf}}), hp::bool_, {3}, {1, 1, 0}) == "");  // 3e39 overflows float32
  const hp::Array vi = hp::array(std::vector<std::int64_t>{0, -9223372036854775807 - 1});
  CHECK(exact(eval_nonfinite(hp::isnan(i), {{i, vi}}), hp::bool_, {2}, {0, 0}) == "");
  CHECK(exact(eval_nonfinite(hp::isinf(i), {{i, vi}}), hp::bool_, {2}, {0, 0}) == "");
  CHECK(exact(eval_nonfinite(hp::isfinite(i), {{i, vi}}), hp::bool_, {2}, {1, 1}) == "");
}

TEST_CASE("tanh") {
  hp::Var x = hp::vector("x");
  CHECK(close(hp::tanh(x).eval({{x, hp::array({0., 0.5, -20., 1000.})}}), hp::float64, {4},
              {0, 0.46211715726000974, -1, 1}) == "");
}

TEST_CASE("sigmoid is exact at the extremes: sigmoid(-800) == 0, sigmoid(800) == 1") {
  hp::Var x = hp::vector("x");
  hp::Array r = hp::sigmoid(x).eval({{x, hp::array({0., 2., -2., -800., 800.})}});
  CHECK(close(r, hp::float64, {5}, {0.5, 0.8807970779778823, 0.11920292202211755, 0, 1}) == "");
  CHECK(r.item<double>(3) == 0.0);
  CHECK(std::isfinite(r.item<double>(3)));
  CHECK(r.item<double>(4) == 1.0);
}

TEST_CASE("softplus does not overflow: softplus(800) == 800, softplus(-700) tiny and positive") {
  hp::Var x = hp::vector("x");
  hp::Array r = hp::softplus(x).eval({{x, hp::array({0., 1., -1., 800., -700., -800.})}});
  CHECK(close(r, hp::float64, {6},
              {0.6931471805599453, 1.3132616875182228, 0.31326168751822286, 800,
               9.85967654375977e-305, 0}) == "");
  CHECK(r.item<double>(3) == 800.0);
  // exp(-700) is 9.86e-305, still a normal double; exp(-800) rounds to 0 exactly.
  CHECK(r.item<double>(4) > 0.0);
  CHECK(r.item<double>(4) < 1e-300);
  CHECK(r.item<double>(5) == 0.0);
  CHECK(std::isfinite(r.item<double>(5)));
}

TEST_CASE("math functions at infinities and NaN") {
  hp::Var x = hp::vector("x");
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{x, hp::array({-kInf, kInf, kNaN})}};
  CHECK(exact(eval_nonfinite(hp::sigmoid(x), g), hp::float64, {3}, {0, 1, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::softplus(x), g), hp::float64, {3}, {0, kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::tanh(x), g), hp::float64, {3}, {-1, 1, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::exp(x), g), hp::float64, {3}, {0, kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::abs(x), g), hp::float64, {3}, {kInf, kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::relu(x), g), hp::float64, {3}, {0, kInf, kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::log1p(x), {{x, hp::array({-1., -2., kInf})}}), hp::float64, {3},
              {-kInf, kNaN, kInf}) == "");
}

TEST_CASE("relu of floats and integers") {
  hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int32);
  CHECK(exact(hp::relu(x).eval({{x, hp::array({-1., 0., 2.5})}}), hp::float64, {3}, {0, 0, 2.5}) ==
        "");
  CHECK(exact(hp::relu(i).eval({{i, hp::array({-4, 4})}}), hp::int32, {2}, {0, 4}) == "");
}

TEST_CASE("math functions of integers compute in upgrade_to_float's dtype") {
  hp::Var i8 = hp::vector("i", hp::int8), i32 = hp::vector("j", hp::int32);
  CHECK(close(hp::exp(i8).eval({{i8, hp::array({0, 1}, hp::int8)}}), hp::float32, {2},
              {1, 2.718281828459045}, 1e-6) == "");
  CHECK(exact(hp::sqrt(i32).eval({{i32, hp::array({4, 9})}}), hp::float64, {2}, {2, 3}) == "");
  CHECK(exact(eval_nonfinite(hp::log(i32), {{i32, hp::array({1, 0})}}), hp::float64, {2}, {0, -kInf}) == "");
}

TEST_CASE("math functions of float32 stay float32") {
  hp::Var x = hp::vector("x", hp::float32);
  CHECK(close(hp::exp(x).eval({{x, hp::array({0., 1.}, hp::float32)}}), hp::float32, {2},
              {1, 2.718281828459045}, 1e-6) == "");
  CHECK(close(hp::sigmoid(x).eval({{x, hp::array({0., -800.}, hp::float32)}}), hp::float32, {2},
              {0.5, 0}) == "");
  CHECK(close(hp::softplus(x).eval({{x, hp::array({800.}, hp::float32)}}), hp::float32, {1},
              {800}) == "");
}

TEST_CASE("maximum and minimum propagate NaN") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const hp::Array a = hp::array({1., kNaN, 3., 5.}), b = hp::array({2., 0., kNaN, -5.});
  CHECK(exact(eval_nonfinite(hp::maximum(x, y), {{x, a}, {y, b}}), hp::float64, {4}, {2, kNaN, kNaN, 5}) ==
        "");
  CHECK(exact(eval_nonfinite(hp::minimum(x, y), {{x, a}, {y, b}}), hp::float64, {4}, {1, kNaN, kNaN, -5}) ==
        "");
}

TEST_CASE("maximum and minimum of integers") {
  hp::Var x = hp::vector("x", hp::int16), y = hp::vector("y", hp::int16);
  const hp::Array a = hp::array({1, -7}, hp::int16), b = hp::array({2, -8}, hp::int16);
  CHECK(exact(hp::maximum(x, y).eval({{x, a}, {y, b}}), hp::int16, {2}, {2, -7}) == "");
  CHECK(exact(hp::minimum(x, y).eval({{x, a}, {y, b}}), hp::int16, {2}, {1, -8}) == "");
}

TEST_CASE("clip bounds values and propagates NaN") {
  hp::Var x = hp::vector("x");
  CHECK(exact(eval_nonfinite(hp::clip(x, 0.0, 1.0), {{x, hp::array({-5., 0.5, 5., kNaN})}}), hp::float64, {4},
              {0, 0.5, 1, kNaN}) == "");
  hp::Var i = hp::vector("i", hp::int8);
  hp::Var ci = hp::clip(i, -2, 3);
  CHECK(exact(ci.eval({{i, hp::array({-100, 0, 100}, hp::int8)}}), hp::int8, {3}, {-2, 0, 3}) ==
        "");
}

TEST_CASE("clip with tensor bounds broadcasts them") {
  hp::Var x = hp::matrix("x"), lo = hp::vector("lo"), hi = hp::scalar("hi");
  hp::Array r = hp::clip(x, lo, hi).eval({{x, m23()}, {lo, hp::array({2., 0., 4.})}, {hi, 5.0}});
  CHECK(exact(r, hp::float64, {2, 3}, {2, 2, 4, 4, 5, 5}) == "");
}

TEST_CASE("where picks elementwise with a bool, float or int condition") {
  hp::Var a = hp::vector("a"), b = hp::vector("b");
  const hp::Array av = hp::array({1., 2., 3.}), bv = hp::array({10., 20., 30.});
  hp::Var cb = hp::vector("cb", hp::bool_);
  CHECK(exact(hp::where(cb, a, b).eval({{cb, hp::array({true, false, true})}, {a, av}, {b, bv}}),
              hp::float64, {3}, {1, 20, 3}) == "");
  hp::Var cf = hp::vector("cf");
  CHECK(exact(hp::where(cf, a, b).eval({{cf, hp::array({0.5, 0., kNaN})}, {a, av}, {b, bv}}),
              hp::float64, {3}, {1, 20, 3}) == "");
  hp::Var ci = hp::vector("ci", hp::int32);
  CHECK(exact(hp::where(ci, a, b).eval({{ci, hp::array({0, -1, 0})}, {a, av}, {b, bv}}),
              hp::float64, {3}, {10, 2, 30}) == "");
}

TEST_CASE("where's dtype is the promotion of its branches, not of the condition") {
  hp::Var c = hp::vector("c"), i = hp::vector("i", hp::int8), j = hp::vector("j", hp::int16),
          f = hp::vector("f", hp::float32);
  const hp::Array cv = hp::array({1., 0.});
  CHECK(
      exact(hp::where(c, i, j).eval(
                {{c, cv}, {i, hp::array({1, 2}, hp::int8)}, {j, hp::array({300, 400}, hp::int16)}}),
            hp::int16, {2}, {1, 400}) == "");
  CHECK(exact(hp::where(c, i, f).eval({{c, cv},
                                       {i, hp::array({1, 2}, hp::int8)},
                                       {f, hp::array({0.5, 1.5}, hp::float32)}}),
              hp::float32, {2}, {1, 1.5}) == "");
  CHECK(exact(hp::where(c, i, 0).eval({{c, cv}, {i, hp::array({7, 8}, hp::int8)}}), hp::int8, {2},
              {7, 0}) == "");
}

TEST_CASE("where broadcasts its condition against its branches") {
  hp::Var c = hp::col("c", hp::bool_), a = hp::matrix("a");
  hp::Array r = hp::where(c, a, -1.0).eval({{c, hp::array({{true}, {false}})}, {a, m23()}});
  CHECK(exact(r, hp::float64, {2, 3}, {1, 2, 3, -1, -1, -1}) == "");
}

TEST_CASE("comparison functions give bool") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{x, hp::array({1., 2., 3.})},
                                                        {y, hp::array({2., 2., 2.})}};
  CHECK(exact(hp::eq(x, y).eval(g), hp::bool_, {3}, {0, 1, 0}) == "");
  CHECK(exact(hp::neq(x, y).eval(g), hp::bool_, {3}, {1, 0, 1}) == "");
  CHECK(exact(hp::lt(x, y).eval(g), hp::bool_, {3}, {1, 0, 0}) == "");
  CHECK(exact(hp::gt(x, y).eval(g), hp::bool_, {3}, {0, 0, 1}) == "");
  CHECK(exact(hp::le(x, y).eval(g), hp::bool_, {3}, {1, 1, 0}) == "");
  CHECK(exact(hp::ge(x, y).eval(g), hp::bool_, {3}, {0, 1, 1}) == "");
}

TEST_CASE("comparison operators give bool") {
  hp::Var x = hp::vector("x", hp::int32), y = hp::vector("y", hp::int32);
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{x, hp::array({1, 2, 3})},
                                                        {y, hp::array({2, 2, 2})}};
  CHECK(exact((x < y).eval(g), hp::bool_, {3}, {1, 0, 0}) == "");
  CHECK(exact((x > y).eval(g), hp::bool_, {3}, {0, 0, 1}) == "");
  CHECK(exact((x <= y).eval(g), hp::bool_, {3}, {1, 1, 0}) == "");
  CHECK(exact((x >= y).eval(g), hp::bool_, {3}, {0, 1, 1}) == "");
}

TEST_CASE("comparisons with NaN are false except neq") {
  hp::Var x = hp::vector("x");
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{x, hp::array({kNaN, 1.})}};
  CHECK(exact(hp::eq(x, x).eval(g), hp::bool_, {2}, {0, 1}) == "");
  CHECK(exact(hp::neq(x, x).eval(g), hp::bool_, {2}, {1, 0}) == "");
  CHECK(exact((x < 2.0).eval(g), hp::bool_, {2}, {0, 1}) == "");
  CHECK(exact((x >= 2.0).eval(g), hp::bool_, {2}, {0, 0}) == "");
}

TEST_CASE("an integer compared with a float number compares in floats") {
  hp::Var i = hp::vector("i", hp::int32);
  CHECK(exact((i < 2.5).eval({{i, hp::array({2, 3})}}), hp::bool_, {2}, {1, 0}) == "");
  CHECK(exact(hp::eq(i, 2.5).eval({{i, hp::array({2, 3})}}), hp::bool_, {2}, {0, 0}) == "");
}

TEST_CASE("cast from float to int truncates toward zero") {
  hp::Var x = hp::vector("x");
  hp::Var c = hp::cast(x, hp::int32);
  CHECK(c.dtype() == hp::int32);
  CHECK(exact(c.eval({{x, hp::array({1.7, -1.7, 0., 0.2, -0.9})}}), hp::int32, {5},
              {1, -1, 0, 0, 0}) == "");
}

TEST_CASE("cast to bool is != 0 (NaN is true)") {
  hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int32);
  CHECK(exact(hp::cast(x, hp::bool_).eval({{x, hp::array({0., 0.2, -3., kNaN})}}), hp::bool_, {4},
              {0, 1, 1, 1}) == "");
  CHECK(exact(hp::cast(i, hp::bool_).eval({{i, hp::array({0, 2, -1})}}), hp::bool_, {3},
              {0, 1, 1}) == "");
}

TEST_CASE("cast from int to float32") {
  hp::Var i = hp::matrix("i", hp::int64);
  hp::Array r =
      hp::cast(i, hp::float32).eval({{i, hp::array({{1, -2}, {16777217, 3}}, hp::int64)}});
  // 2^24 + 1 is not a float32: it rounds to 2^24.
  CHECK(exact(r, hp::float32, {2, 2}, {1, -2, 16777216, 3}) == "");
}

TEST_CASE("cast between integers wraps around") {
  hp::Var i = hp::vector("i", hp::int32);
  CHECK(exact(hp::cast(i, hp::int8).eval({{i, hp::array({127, 128, 300, -129})}}), hp::int8, {4},
              {127, -128, 44, 127}) == "");
  CHECK(exact(hp::cast(i, hp::uint8).eval({{i, hp::array({-1, 256})}}), hp::uint8, {2}, {255, 0}) ==
        "");
}

TEST_CASE("cast of NaN and out-of-range floats to int saturates (Array's conversion rule)") {
  hp::Var x = hp::vector("x");
  CHECK(exact(hp::cast(x, hp::int8).eval({{x, hp::array({kNaN, kInf, -kInf, 300., -300.})}}),
              hp::int8, {5}, {0, 127, -128, 127, -128}) == "");
}

TEST_CASE("zeros_like and ones_like follow x's dtype, shape and broadcast pattern") {
  hp::Var i = hp::matrix("i", hp::int8), r = hp::row("r", hp::float32),
          b = hp::vector("b", hp::bool_);
  CHECK(hp::zeros_like(r).broadcastable() == std::vector<bool>{true, false});
  CHECK(exact(hp::zeros_like(i).eval({{i, hp::array({{1, 2, 3}, {4, 5, 6}}, hp::int8)}}), hp::int8,
              {2, 3}, {0, 0, 0, 0, 0, 0}) == "");
  CHECK(exact(hp::ones_like(i).eval({{i, hp::array({{1, 2, 3}, {4, 5, 6}}, hp::int8)}}), hp::int8,
              {2, 3}, {1, 1, 1, 1, 1, 1}) == "");
  CHECK(exact(hp::ones_like(r).eval({{r, hp::array({{7., 8.}}, hp::float32)}}), hp::float32, {1, 2},
              {1, 1}) == "");
  CHECK(exact(hp::zeros_like(b).eval({{b, hp::array({true, true})}}), hp::bool_, {2}, {0, 0}) ==
        "");
  CHECK(exact(hp::ones_like(b).eval({{b, hp::array({false})}}), hp::bool_, {1}, {1}) == "");
}

TEST_CASE("zeros_like of a NaN tensor is zeros") {
  hp::Var x = hp::vector("x");
  CHECK(exact(hp::zeros_like(x).eval({{x, hp::array({kNaN, kInf})}}), hp::float64, {2}, {0, 0}) ==
        "");
}

// ============================================================================
// Broadcasting
// ============================================================================

TEST_CASE("a matrix plus a vector broadcasts the vector over the rows") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  hp::Var s = m + v;
  CHECK(s.broadcastable() == std::vector<bool>{false, false});
  CHECK(exact(s.eval({{m, m23()}, {v, hp::array({10., 20., 30.})}}), hp::float64, {2, 3},
              {11, 22, 33, 14, 25, 36}) == "");
}

TEST_CASE("a column (hp::col) broadcasts against a matrix") {
  hp::Var m = hp::matrix("m"), c = hp::col("c");
  CHECK(exact((m * c).eval({{m, m23()}, {c, hp::array({{10.}, {100.}})}}), hp::float64, {2, 3},
              {10, 20, 30, 400, 500, 600}) == "");
  CHECK(exact((c - m).eval({{m, m23()}, {c, hp::array({{10.}, {100.}})}}), hp::float64, {2, 3},
              {9, 8, 7, 96, 95, 94}) == "");
}

TEST_CASE("a row (hp::row) broadcasts against a matrix") {
  hp::Var m = hp::matrix("m"), r = hp::row("r");
  CHECK(exact((m + r).eval({{m, m23()}, {r, hp::array({{1., 0., -1.}})}}), hp::float64, {2, 3},
              {2, 2, 2, 5, 5, 5}) == "");
}

TEST_CASE("a column plus a row gives their outer sum") {
  hp::Var c = hp::col("c"), r = hp::row("r");
  hp::Var s = c + r;
  CHECK(s.broadcastable() == std::vector<bool>{false, false});
  CHECK(exact(s.eval({{c, hp::array({{10.}, {20.}})}, {r, hp::array({{1., 2., 3.}})}}), hp::float64,
              {2, 3}, {11, 12, 13, 21, 22, 23}) == "");
}

TEST_CASE("a scalar broadcasts against a tensor3") {
  hp::Var s = hp::scalar("s"), t = hp::tensor3("t");
  hp::Array tv = hp::array({{{1., 2.}, {3., 4.}}, {{5., 6.}, {7., 8.}}});
  hp::Array r = (t * s).eval({{s, 2.0}, {t, tv}});
  CHECK(exact(r, hp::float64, {2, 2, 2}, {2, 4, 6, 8, 10, 12, 14, 16}) == "");
}

TEST_CASE("a plain matrix of runtime shape (2, 1) does not stretch against (2, 3)") {
  hp::Var m = hp::matrix("m"), n = hp::matrix("n");
  const hp::Array a = hp::array({{1.}, {2.}});
  CHECK_THROWS_AS((m + n).eval({{m, a}, {n, m23()}}), hp::ShapeError);
  CHECK_THROWS_WITH_AS((m + n).eval({{m, a}, {n, m23()}}), doctest::Contains("(2, 1)"),
                       hp::ShapeError);
  CHECK_THROWS_AS((n + m).eval({{m, a}, {n, m23()}}), hp::ShapeError);
}

TEST_CASE("a plain vector of runtime length 1 does not stretch against a longer one") {
  hp::Var u = hp::vector("u"), v = hp::vector("v");
  CHECK_THROWS_AS((u + v).eval({{u, hp::array({1.})}, {v, hp::array({1., 2.})}}), hp::ShapeError);
}

TEST_CASE("a broadcastable input must have size 1 on its broadcastable axes") {
  hp::Var c = hp::col("c");
  CHECK_THROWS_AS((c + 1.0).eval({{c, m23()}}), hp::ShapeError);
}

// ============================================================================
// Dtype rules
// ============================================================================

TEST_CASE("int8 + float32 gives float32 values") {
  hp::Var i = hp::vector("i", hp::int8), f = hp::vector("f", hp::float32);
  hp::Var s = i + f;
  CHECK(s.dtype() == hp::float32);
  CHECK(
      exact(s.eval({{i, hp::array({-3, 100}, hp::int8)}, {f, hp::array({0.5, 0.25}, hp::float32)}}),
            hp::float32, {2}, {-2.5, 100.25}) == "");
}

TEST_CASE("int32 + float32 gives float64") {
  hp::Var i = hp::vector("i", hp::int32), f = hp::vector("f", hp::float32);
  hp::Var s = i + f;
  CHECK(s.dtype() == hp::float64);
  // float64 holds 2^24 + 1 exactly, which float32 could not.
  CHECK(exact(s.eval({{i, hp::array({16777217})}, {f, hp::array({0.5}, hp::float32)}}), hp::float64,
              {1}, {16777217.5}) == "");
}

TEST_CASE("float32 * 0.1 stays float32 (the C++ literal is weak)") {
  hp::Var f = hp::vector("f", hp::float32);
  hp::Var s = f * 0.1;
  CHECK(s.dtype() == hp::float32);
  // float32(0.1) * 1 and float32(0.1 * 2), as numpy.float32 computes them.
  CHECK(exact(s.eval({{f, hp::array({1., 2.}, hp::float32)}}), hp::float32, {2},
              {0.10000000149011612, 0.20000000298023224}) == "");
}

TEST_CASE("in float32 arithmetic a C++ number is rounded to float32 first, as numpy 2") {
  hp::Var f = hp::vector("f", hp::float32);
  // 9 * float32(0.1) rounds up; 9 * 0.1 in doubles, then rounded, would give 0.8999999761581421.
  CHECK(exact((f * 0.1).eval({{f, hp::array({9., 13.}, hp::float32)}}), hp::float32, {2},
              {0.9000000357627869, 1.3000000715255737}) == "");
  CHECK(exact(hp::eq(f, 0.1).eval({{f, hp::array({0.1}, hp::float32)}}), hp::bool_, {1}, {1}) ==
        "");
  CHECK(exact((f < 16777217).eval({{f, hp::array({16777216.}, hp::float32)}}), hp::bool_, {1},
              {0}) == "");
  CHECK(exact(hp::clip(f, 0.1, 0.2).eval({{f, hp::array({0., 1.}, hp::float32)}}), hp::float32, {2},
              {0.10000000149011612, 0.20000000298023224}) == "");
}

TEST_CASE("int8 + 1 stays int8") {
  hp::Var i = hp::vector("i", hp::int8);
  CHECK((1 + i).dtype() == hp::int8);
  CHECK(exact((1 + i).eval({{i, hp::array({126, 127}, hp::int8)}}), hp::int8, {2}, {127, -128}) ==
        "");
}

TEST_CASE("int8 * 0.5 gives floatX: float64 by default") {
  hp::Var i = hp::vector("i", hp::int8);
  hp::Var s = i * 0.5;
  CHECK(s.dtype() == hp::float64);
  CHECK(exact(s.eval({{i, hp::array({3, -1}, hp::int8)}}), hp::float64, {2}, {1.5, -0.5}) == "");
}

TEST_CASE("int8 * 0.5 gives floatX: float32 when floatX is float32") {
  hp::Var i = hp::vector("i", hp::int8);
  hp::Var s;
  {
    hypatia_test::ConfigScope scope;
    hp::config().floatX = hp::float32;
    s = i * 0.5;
  }
  CHECK(hp::config().floatX == hp::float64);
  CHECK(s.dtype() == hp::float32);
  CHECK(exact(s.eval({{i, hp::array({3, -1}, hp::int8)}}), hp::float32, {2}, {1.5, -0.5}) == "");
}

TEST_CASE("integer / integer is true division in floatX (Theano's TrueDiv)") {
  hp::Var a = hp::vector("a", hp::int32), b = hp::vector("b", hp::int8);
  CHECK(exact((a / a).eval({{a, hp::array({7, -7})}}), hp::float64, {2}, {1, 1}) == "");
  CHECK(exact((a / 2).eval({{a, hp::array({7, -7})}}), hp::float64, {2}, {3.5, -3.5}) == "");
  CHECK(exact((b / 4).eval({{b, hp::array({1, -3}, hp::int8)}}), hp::float64, {2}, {0.25, -0.75}) ==
        "");
  CHECK(close((b / b).eval({{b, hp::array({1, 3}, hp::int8)}}), hp::float64, {2}, {1, 1}) == "");
}

TEST_CASE("bool + bool stays bool (logical or), bool * bool is logical and") {
  hp::Var p = hp::vector("p", hp::bool_), q = hp::vector("q", hp::bool_);
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{p, hp::array({true, true, false, false})},
                                                        {q, hp::array({true, false, true, false})}};
  CHECK(exact((p + q).eval(g), hp::bool_, {4}, {1, 1, 1, 0}) == "");
  CHECK(exact((p * q).eval(g), hp::bool_, {4}, {1, 0, 0, 0}) == "");
}

TEST_CASE("bool - bool and -bool are TypeErrors at graph construction") {
  hp::Var p = hp::vector("p", hp::bool_), q = hp::vector("q", hp::bool_);
  CHECK_THROWS_AS(p - q, hp::TypeError);
  CHECK_THROWS_AS(-p, hp::TypeError);
  CHECK_THROWS_AS(hp::neg(p), hp::TypeError);
}

TEST_CASE("bool + 1 gives int64") {
  hp::Var p = hp::vector("p", hp::bool_);
  CHECK(exact((p + 1).eval({{p, hp::array({true, false})}}), hp::int64, {2}, {2, 1}) == "");
}

TEST_CASE("uint8 + int8 gives int16 without wrapping") {
  hp::Var u = hp::vector("u", hp::uint8), i = hp::vector("i", hp::int8);
  hp::Var s = u + i;
  CHECK(s.dtype() == hp::int16);
  CHECK(
      exact(s.eval({{u, hp::array({255, 200}, hp::uint8)}, {i, hp::array({127, -100}, hp::int8)}}),
            hp::int16, {2}, {382, 100}) == "");
}

TEST_CASE("uint8 arithmetic wraps modulo 256") {
  hp::Var u = hp::vector("u", hp::uint8);
  CHECK(exact((u + 1).eval({{u, hp::array({255, 0}, hp::uint8)}}), hp::uint8, {2}, {0, 1}) == "");
  CHECK(exact((u - 1).eval({{u, hp::array({255, 0}, hp::uint8)}}), hp::uint8, {2}, {254, 255}) ==
        "");
}

TEST_CASE("float32 op float64 gives float64") {
  hp::Var f = hp::vector("f", hp::float32), d = hp::vector("d");
  CHECK(exact((f + d).eval({{f, hp::array({0.5}, hp::float32)}, {d, hp::array({0.25})}}),
              hp::float64, {1}, {0.75}) == "");
}

TEST_CASE("a weak integer literal that does not fit the tensor's dtype is a TypeError") {
  hp::Var i = hp::vector("i", hp::int8), u = hp::vector("u", hp::uint8);
  CHECK_THROWS_AS(i + 300, hp::TypeError);
  CHECK_THROWS_AS(hp::maximum(i, 300), hp::TypeError);
  CHECK_THROWS_AS(u * -1, hp::TypeError);
  CHECK_THROWS_AS(i - 128, hp::TypeError);  // as numpy 2: 128 is not an int8
  CHECK_NOTHROW(i + 127);
  CHECK_NOTHROW(i + -128);
  CHECK_NOTHROW(u + 255);
  CHECK_NOTHROW(hp::where(i > 0, i, 7));
  CHECK_NOTHROW(hp::where(300, i, 7));
}

TEST_CASE("comparing with a weak integer literal out of the tensor's range is exact") {
  hp::Var i = hp::vector("i", hp::int8);
  CHECK(exact((i < 300).eval({{i, hp::array({127, -128}, hp::int8)}}), hp::bool_, {2}, {1, 1}) ==
        "");
  CHECK(exact(hp::eq(i, 300).eval({{i, hp::array({44}, hp::int8)}}), hp::bool_, {1}, {0}) == "");
}

// ============================================================================
// Reductions
// ============================================================================

TEST_CASE("sum over all axes, one axis, a negative axis and several axes") {
  hp::Var x = hp::matrix("x");
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{x, m23()}};
  CHECK(exact(hp::sum(x).eval(g), hp::float64, {}, {21}) == "");
  CHECK(exact(hp::sum(x, 0).eval(g), hp::float64, {3}, {5, 7, 9}) == "");
  CHECK(exact(hp::sum(x, 1).eval(g), hp::float64, {2}, {6, 15}) == "");
  CHECK(exact(hp::sum(x, -1).eval(g), hp::float64, {2}, {6, 15}) == "");
  CHECK(exact(hp::sum(x, -2).eval(g), hp::float64, {3}, {5, 7, 9}) == "");
  CHECK(exact(hp::sum(x, {0, 1}).eval(g), hp::float64, {}, {21}) == "");
  CHECK(exact(hp::sum(x, {1, 0}).eval(g), hp::float64, {}, {21}) == "");
}

TEST_CASE("sum over two of three axes") {
  hp::Var t = hp::tensor3("t");
  std::vector<double> data(24);
  for (int k = 0; k < 24; ++k) data[k] = k;
  const hp::Array tv = hp::array(data, {2, 3, 4});
  CHECK(exact(hp::sum(t, {0, 2}).eval({{t, tv}}), hp::float64, {3}, {60, 92, 124}) == "");
  CHECK(exact(hp::sum(t, {-1, 0}).eval({{t, tv}}), hp::float64, {3}, {60, 92, 124}) == "");
  CHECK(exact(hp::max(t, {1, 2}).eval({{t, tv}}), hp::float64, {2}, {11, 23}) == "");
}

TEST_CASE("keepdims keeps reduced axes as broadcastable axes of size 1") {
  hp::Var x = hp::matrix("x");
  hp::Var s1 = hp::sum(x, 1, true);
  CHECK(s1.broadcastable() == std::vector<bool>{false, true});
  CHECK(exact(s1.eval({{x, m23()}}), hp::float64, {2, 1}, {6, 15}) == "");
  hp::Var s0 = hp::mean(x, 0, true);
  CHECK(s0.broadcastable() == std::vector<bool>{true, false});
  CHECK(exact(s0.eval({{x, m23()}}), hp::float64, {1, 3}, {2.5, 3.5, 4.5}) == "");
  hp::Var all = hp::max(x, {0, 1}, true);
  CHECK(all.broadcastable() == std::vector<bool>{true, true});
  CHECK(exact(all.eval({{x, m23()}}), hp::float64, {1, 1}, {6}) == "");
  // The kept axis broadcasts back against x.
  CHECK(exact((x - s1).eval({{x, m23()}}), hp::float64, {2, 3}, {-5, -4, -3, -11, -10, -9}) == "");
}

TEST_CASE("mean, max, min and prod") {
  hp::Var x = hp::matrix("x");
  const std::vector<std::pair<hp::Var, hp::Array>> g = {{x, m23()}};
  CHECK(exact(hp::mean(x).eval(g), hp::float64, {}, {3.5}) == "");
  CHECK(exact(hp::mean(x, 0).eval(g), hp::float64, {3}, {2.5, 3.5, 4.5}) == "");
  CHECK(exact(hp::mean(x, 1).eval(g), hp::float64, {2}, {2, 5}) == "");
  CHECK(exact(hp::max(x).eval(g), hp::float64, {}, {6}) == "");
  CHECK(exact(hp::max(x, 1).eval(g), hp::float64, {2}, {3, 6}) == "");
  CHECK(exact(hp::min(x).eval(g), hp::float64, {}, {1}) == "");
  CHECK(exact(hp::min(x, 0).eval(g), hp::float64, {3}, {1, 2, 3}) == "");
  CHECK(exact(hp::prod(x).eval(g), hp::float64, {}, {720}) == "");
  CHECK(exact(hp::prod(x, 1).eval(g), hp::float64, {2}, {6, 120}) == "");
  CHECK(exact(hp::prod(x, {0, 1}, true).eval(g), hp::float64, {1, 1}, {720}) == "");
}

TEST_CASE("argmax over all axes indexes the flattened tensor, over an axis the axis") {
  hp::Var x = hp::matrix("x");
  const hp::Array a = hp::array({{1., 9., 3.}, {4., 5., 6.}});
  CHECK(exact(hp::argmax(x).eval({{x, a}}), hp::int64, {}, {1}) == "");
  CHECK(exact(hp::argmax(x).eval({{x, m23()}}), hp::int64, {}, {5}) == "");
  CHECK(exact(hp::argmax(x, 0).eval({{x, a}}), hp::int64, {3}, {1, 0, 1}) == "");
  CHECK(exact(hp::argmax(x, -1).eval({{x, a}}), hp::int64, {2}, {1, 2}) == "");
  CHECK(exact(hp::argmax(x, 1, true).eval({{x, a}}), hp::int64, {2, 1}, {1, 2}) == "");
}

TEST_CASE("argmax returns the first maximum") {
  hp::Var v = hp::vector("v"), i = hp::vector("i", hp::int32);
  CHECK(exact(hp::argmax(v).eval({{v, hp::array({3., 7., 7., 1.})}}), hp::int64, {}, {1}) == "");
  CHECK(exact(hp::argmax(i).eval({{i, hp::array({2, 2, 2})}}), hp::int64, {}, {0}) == "");
}

TEST_CASE("integer sums and products accumulate in int64") {
  hp::Var i = hp::vector("i", hp::int8);
  CHECK(exact(hp::sum(i).eval({{i, hp::array({100, 100, 100}, hp::int8)}}), hp::int64, {}, {300}) ==
        "");
  CHECK(exact(hp::prod(i).eval({{i, hp::array({100, 100, -100}, hp::int8)}}), hp::int64, {},
              {-1000000}) == "");
  hp::Var b = hp::vector("b", hp::bool_);
  CHECK(exact(hp::sum(b).eval({{b, hp::array({true, false, true})}}), hp::int64, {}, {2}) == "");
}

TEST_CASE("the mean of integers is float64") {
  hp::Var i = hp::matrix("i", hp::int32);
  CHECK(exact(hp::mean(i).eval({{i, hp::array({{1, 2}, {3, 5}})}}), hp::float64, {}, {2.75}) == "");
  CHECK(exact(hp::mean(i, 1).eval({{i, hp::array({{1, 2}, {3, 5}})}}), hp::float64, {2},
              {1.5, 4}) == "");
}

TEST_CASE("max and min of integers keep the dtype") {
  hp::Var i = hp::vector("i", hp::int8);
  CHECK(exact(hp::max(i).eval({{i, hp::array({-5, 3, -128}, hp::int8)}}), hp::int8, {}, {3}) == "");
  CHECK(exact(hp::min(i).eval({{i, hp::array({-5, 3, -128}, hp::int8)}}), hp::int8, {}, {-128}) ==
        "");
}

TEST_CASE("reductions of float32 stay float32") {
  hp::Var f = hp::vector("f", hp::float32);
  const hp::Array a = hp::array({0.5, 1.5, 2.}, hp::float32);
  CHECK(exact(hp::sum(f).eval({{f, a}}), hp::float32, {}, {4}) == "");
  CHECK(close(hp::mean(f).eval({{f, a}}), hp::float32, {}, {4.0 / 3}, 1e-6) == "");
  CHECK(exact(hp::max(f).eval({{f, a}}), hp::float32, {}, {2}) == "");
}

TEST_CASE("max, min and argmax of an empty tensor raise InvalidValueError") {
  hp::Var v = hp::vector("v");
  const hp::Array empty = hp::Array::zeros({0});
  CHECK_THROWS_AS(hp::max(v).eval({{v, empty}}), hp::InvalidValueError);
  CHECK_THROWS_AS(hp::min(v).eval({{v, empty}}), hp::InvalidValueError);
  CHECK_THROWS_AS(hp::argmax(v).eval({{v, empty}}), hp::InvalidValueError);
  hp::Var m = hp::matrix("m");
  CHECK_THROWS_AS(hp::max(m, 0).eval({{m, hp::Array::zeros({0, 3})}}), hp::InvalidValueError);
}

TEST_CASE("max over an axis of an empty tensor with no output elements is fine") {
  hp::Var m = hp::matrix("m");
  CHECK(exact(hp::max(m, 1).eval({{m, hp::Array::zeros({0, 3})}}), hp::float64, {0}, {}) == "");
}

TEST_CASE("sum and prod of an empty tensor are their identities") {
  hp::Var v = hp::vector("v"), i = hp::vector("i", hp::int32);
  CHECK(exact(hp::sum(v).eval({{v, hp::Array::zeros({0})}}), hp::float64, {}, {0}) == "");
  CHECK(exact(hp::sum(i).eval({{i, hp::Array::zeros({0}, hp::int32)}}), hp::int64, {}, {0}) == "");
  CHECK(exact(hp::prod(v).eval({{v, hp::Array::zeros({0})}}), hp::float64, {}, {1}) == "");
}

TEST_CASE("NaN propagates through max and min; argmax points at the NaN") {
  hp::Var v = hp::vector("v");
  const hp::Array a = hp::array({1., kNaN, 3.});
  CHECK(exact(eval_nonfinite(hp::max(v), {{v, a}}), hp::float64, {}, {kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::min(v), {{v, a}}), hp::float64, {}, {kNaN}) == "");
  CHECK(exact(hp::argmax(v).eval({{v, a}}), hp::int64, {}, {1}) == "");
  CHECK(exact(eval_nonfinite(hp::max(v), {{v, hp::array({kNaN, 5.})}}), hp::float64, {}, {kNaN}) == "");
  CHECK(exact(eval_nonfinite(hp::sum(v), {{v, a}}), hp::float64, {}, {kNaN}) == "");
}

TEST_CASE("a reduction axis out of range is a TypeError") {
  hp::Var m = hp::matrix("m");
  CHECK_THROWS_AS(hp::sum(m, 2), hp::TypeError);
  CHECK_THROWS_AS(hp::sum(m, -3), hp::TypeError);
  CHECK_THROWS_AS(hp::max(m, {0, 2}), hp::TypeError);
  CHECK_THROWS_AS(hp::argmax(m, 2), hp::TypeError);
}

TEST_CASE("a repeated reduction axis is a TypeError") {
  hp::Var m = hp::matrix("m");
  CHECK_THROWS_AS(hp::sum(m, {1, 1}), hp::TypeError);
  CHECK_THROWS_AS(hp::mean(m, {1, -1}), hp::TypeError);
}

TEST_CASE("a long float sum does not lose digits") {
  hp::Var v = hp::vector("v");
  // 1e16 + 1 - 1e16 cancels; a naive left-to-right sum gives 0.
  CHECK(exact(hp::sum(v).eval({{v, hp::array({1e16, 1., -1e16})}}), hp::float64, {}, {1}) == "");
}

TEST_CASE("argmax with keepdims over all axes keeps every axis as size 1") {
  hp::Var x = hp::matrix("x");
  hp::Var a = hp::argmax(x, 1, true);
  CHECK(a.broadcastable() == std::vector<bool>{false, true});
  CHECK(exact(hp::max(x, {0, 1}, true).eval({{x, m23()}}), hp::float64, {1, 1}, {6}) == "");
}

TEST_CASE("the mean of an empty tensor is NaN, as numpy") {
  hp::Var v = hp::vector("v");
  CHECK(exact(eval_nonfinite(hp::mean(v), {{v, hp::Array::zeros({0})}}), hp::float64, {}, {kNaN}) == "");
}

TEST_CASE("reductions of bool: sum counts, max is any, min is all") {
  hp::Var b = hp::matrix("b", hp::bool_);
  const hp::Array v = hp::array({{true, false, true}, {false, false, true}});
  CHECK(exact(hp::sum(b, 1).eval({{b, v}}), hp::int64, {2}, {2, 1}) == "");
  CHECK(exact(hp::max(b, 0).eval({{b, v}}), hp::bool_, {3}, {1, 0, 1}) == "");
  CHECK(exact(hp::min(b, 0).eval({{b, v}}), hp::bool_, {3}, {0, 0, 1}) == "");
  CHECK(exact(hp::mean(b).eval({{b, v}}), hp::float64, {}, {0.5}) == "");
}

TEST_CASE("an empty list of axes reduces nothing") {
  hp::Var x = hp::matrix("x");
  CHECK(exact(hp::sum(x, std::vector<int>{}).eval({{x, m23()}}), hp::float64, {2, 3},
              {1, 2, 3, 4, 5, 6}) == "");
}

TEST_CASE("a reduction keeps the broadcast pattern of the axes it keeps") {
  hp::Var t = hp::tensor("t", hp::float64, {true, false, false});
  hp::Var s = hp::sum(t, 2);
  CHECK(s.broadcastable() == std::vector<bool>{true, false});
  CHECK(exact(s.eval({{t, hp::array({{{1., 2.}, {3., 4.}}})}}), hp::float64, {1, 2}, {3, 7}) == "");
  CHECK(hp::sum(hp::row("r"), 1).broadcastable() == std::vector<bool>{true});
}

// ============================================================================
// Dot
// ============================================================================

TEST_CASE("dot of two vectors is a scalar") {
  hp::Var u = hp::vector("u"), v = hp::vector("v");
  hp::Var d = hp::dot(u, v);
  CHECK(d.ndim() == 0);
  CHECK(exact(d.eval({{u, hp::array({1., 2., 3.})}, {v, hp::array({4., 5., 6.})}}), hp::float64, {},
              {32}) == "");
}

TEST_CASE("dot of a matrix and a vector") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  CHECK(exact(hp::dot(m, v).eval({{m, m23()}, {v, hp::array({1., 0., -1.})}}), hp::float64, {2},
              {-2, -2}) == "");
}

TEST_CASE("dot of a vector and a matrix") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  CHECK(exact(hp::dot(v, m).eval({{m, m23()}, {v, hp::array({1., -1.})}}), hp::float64, {3},
              {-3, -3, -3}) == "");
}

TEST_CASE("dot of two matrices") {
  hp::Var a = hp::matrix("a"), b = hp::matrix("b");
  const hp::Array bv = hp::array({{1., 2.}, {3., 4.}, {5., 6.}});
  CHECK(exact(hp::dot(a, b).eval({{a, m23()}, {b, bv}}), hp::float64, {2, 2}, {22, 28, 49, 64}) ==
        "");
}

TEST_CASE("dot with a scalar operand multiplies") {
  hp::Var s = hp::scalar("s"), m = hp::matrix("m");
  CHECK(exact(hp::dot(s, m).eval({{s, 2.0}, {m, m23()}}), hp::float64, {2, 3},
              {2, 4, 6, 8, 10, 12}) == "");
  CHECK(exact(hp::dot(m, s).eval({{s, -1.0}, {m, m23()}}), hp::float64, {2, 3},
              {-1, -2, -3, -4, -5, -6}) == "");
}

TEST_CASE("dot of integers stays integer") {
  hp::Var a = hp::matrix("a", hp::int32), b = hp::matrix("b", hp::int32);
  CHECK(exact(hp::dot(a, b).eval(
                  {{a, hp::array({{1, 2}, {3, 4}})}, {b, hp::array({{5, 6}, {7, 8}})}}),
              hp::int32, {2, 2}, {19, 22, 43, 50}) == "");
}

TEST_CASE("dot promotes dtypes as arithmetic does") {
  hp::Var f = hp::matrix("f", hp::float32), i = hp::vector("i", hp::int8);
  hp::Var d = hp::dot(f, i);
  CHECK(d.dtype() == hp::float32);
  CHECK(exact(d.eval({{f, hp::array({{0.5, 1.}}, hp::float32)}, {i, hp::array({2, -1}, hp::int8)}}),
              hp::float32, {1}, {0}) == "");
  CHECK(hp::dot(hp::matrix("a", hp::float32), hp::matrix("b", hp::float32)).dtype() == hp::float32);
}

TEST_CASE("dot of a row keeps the row's broadcastable first axis") {
  hp::Var r = hp::row("r"), m = hp::matrix("m");
  CHECK(hp::dot(r, m).broadcastable() == std::vector<bool>{true, false});
}

TEST_CASE("dot of misaligned shapes is a ShapeError naming both shapes") {
  hp::Var a = hp::matrix("a"), b = hp::matrix("b"), u = hp::vector("u"), v = hp::vector("v");
  CHECK_THROWS_WITH_AS(hp::dot(a, b).eval({{a, m23()}, {b, hp::Array::zeros({2, 4})}}),
                       doctest::Contains("(2, 3) and (2, 4)"), hp::ShapeError);
  CHECK_THROWS_WITH_AS(hp::dot(u, v).eval({{u, hp::Array::zeros({3})}, {v, hp::Array::zeros({4})}}),
                       doctest::Contains("(3,) and (4,)"), hp::ShapeError);
  CHECK_THROWS_AS(hp::dot(a, v).eval({{a, m23()}, {v, hp::Array::zeros({2})}}), hp::ShapeError);
}

TEST_CASE("dot of a rank-3 operand is numpy's: the last axis of a with the second-to-last of b") {
  // np.dot(np.arange(8.).reshape(2, 2, 2), np.array([[1., 2.], [3., 4.]])) and
  // np.dot(np.array([1., 2.]), np.arange(8.).reshape(2, 2, 2))
  const hp::Var t = hp::tensor3("t"), m = hp::matrix("m"), v = hp::vector("v");
  const hp::Array tv = hp::array({{{0.0, 1.0}, {2.0, 3.0}}, {{4.0, 5.0}, {6.0, 7.0}}});
  const hp::Array tm = hp::dot(t, m).eval({{t, tv}, {m, hp::array({{1.0, 2.0}, {3.0, 4.0}})}});
  CHECK(exact(tm, hp::float64, {2, 2, 2}, {3, 4, 11, 16, 19, 28, 27, 40}) == "");
  const hp::Array vt = hp::dot(v, t).eval({{v, hp::array({1.0, 2.0})}, {t, tv}});
  CHECK(exact(vt, hp::float64, {2, 2}, {4, 7, 16, 19}) == "");
}

// ============================================================================
// Shapes: dimshuffle, transpose, reshape, flatten, concatenate, shape
// ============================================================================

TEST_CASE("transpose of a matrix") {
  hp::Var x = hp::matrix("x");
  CHECK(exact(hp::transpose(x).eval({{x, m23()}}), hp::float64, {3, 2}, {1, 4, 2, 5, 3, 6}) == "");
}

TEST_CASE("transpose of a row is a column") {
  hp::Var r = hp::row("r");
  CHECK(hp::transpose(r).broadcastable() == std::vector<bool>{false, true});
}

TEST_CASE("transpose of a tensor3 with a permutation, negative entries allowed") {
  hp::Var t = hp::tensor3("t");
  const hp::Array tv = hp::array({{{1., 2.}, {3., 4.}, {5., 6.}}});  // (1, 3, 2)
  CHECK(exact(hp::transpose(t, {2, 0, 1}).eval({{t, tv}}), hp::float64, {2, 1, 3},
              {1, 3, 5, 2, 4, 6}) == "");
  CHECK(exact(hp::transpose(t, {-1, 0, -2}).eval({{t, tv}}), hp::float64, {2, 1, 3},
              {1, 3, 5, 2, 4, 6}) == "");
  CHECK(exact(hp::transpose(t).eval({{t, tv}}), hp::float64, {2, 3, 1}, {1, 3, 5, 2, 4, 6}) == "");
  CHECK_THROWS_AS(hp::transpose(t, {0, 1}), hp::TypeError);
  CHECK_THROWS_AS(hp::transpose(t, {0, 0, 1}), hp::TypeError);
}

TEST_CASE("dimshuffle inserts hp::newaxis as a broadcastable axis") {
  hp::Var x = hp::matrix("x");
  hp::Var d = hp::dimshuffle(x, {0, hp::newaxis, 1});
  CHECK(d.broadcastable() == std::vector<bool>{false, true, false});
  CHECK(exact(d.eval({{x, m23()}}), hp::float64, {2, 1, 3}, {1, 2, 3, 4, 5, 6}) == "");
  hp::Var e = hp::dimshuffle(x, {1, hp::newaxis, 0});
  CHECK(exact(e.eval({{x, m23()}}), hp::float64, {3, 1, 2}, {1, 4, 2, 5, 3, 6}) == "");
}

TEST_CASE("a vector dimshuffled to a row broadcasts over a matrix's rows") {
  hp::Var v = hp::vector("v"), m = hp::matrix("m");
  hp::Var r = hp::dimshuffle(v, {hp::newaxis, 0});
  CHECK(r.broadcastable() == std::vector<bool>{true, false});
  CHECK(exact((m + r).eval({{v, hp::array({1., 2., 3.})}, {m, m23()}}), hp::float64, {2, 3},
              {2, 4, 6, 5, 7, 9}) == "");
  hp::Var c = hp::dimshuffle(hp::vector("w"), {0, hp::newaxis});
  CHECK(c.broadcastable() == std::vector<bool>{false, true});
}

TEST_CASE("dimshuffle of a scalar adds broadcastable axes") {
  hp::Var s = hp::scalar("s");
  hp::Var d = hp::dimshuffle(s, {hp::newaxis, hp::newaxis});
  CHECK(d.broadcastable() == std::vector<bool>{true, true});
  CHECK(exact(d.eval({{s, 4.0}}), hp::float64, {1, 1}, {4}) == "");
  CHECK(exact(hp::transpose(s).eval({{s, 4.0}}), hp::float64, {}, {4}) == "");
}

TEST_CASE("dimshuffle drops a broadcastable axis") {
  hp::Var r = hp::row("r");
  hp::Var d = hp::dimshuffle(r, {1});
  CHECK(d.broadcastable() == std::vector<bool>{false});
  CHECK(exact(d.eval({{r, hp::array({{4., 5., 6.}})}}), hp::float64, {3}, {4, 5, 6}) == "");
  hp::Var t = hp::tensor("t", hp::float64, {true, false, true});
  CHECK(exact(hp::dimshuffle(t, {1}).eval({{t, hp::Array::ones({1, 2, 1})}}), hp::float64, {2},
              {1, 1}) == "");
}

TEST_CASE("dimshuffle dropping a non-broadcastable axis is a TypeError") {
  CHECK_THROWS_AS(hp::dimshuffle(hp::matrix("m"), {1}), hp::TypeError);
  CHECK_THROWS_AS(hp::dimshuffle(hp::matrix("m"), {0, 2}), hp::TypeError);
  CHECK_THROWS_AS(hp::dimshuffle(hp::matrix("m"), {0, 0}), hp::TypeError);
}

TEST_CASE("reshape, with and without -1") {
  hp::Var v = hp::vector("v");
  const hp::Array a = hp::array({1., 2., 3., 4., 5., 6.});
  CHECK(exact(hp::reshape(v, {2, 3}).eval({{v, a}}), hp::float64, {2, 3}, {1, 2, 3, 4, 5, 6}) ==
        "");
  CHECK(exact(hp::reshape(v, {-1, 2}).eval({{v, a}}), hp::float64, {3, 2}, {1, 2, 3, 4, 5, 6}) ==
        "");
  CHECK(exact(hp::reshape(v, {3, -1}).eval({{v, a}}), hp::float64, {3, 2}, {1, 2, 3, 4, 5, 6}) ==
        "");
  hp::Var m = hp::matrix("m");
  CHECK(exact(hp::reshape(m, {-1}).eval({{m, m23()}}), hp::float64, {6}, {1, 2, 3, 4, 5, 6}) == "");
}

TEST_CASE("reshape to a size-1 axis marks it broadcastable") {
  hp::Var v = hp::vector("v");
  hp::Var r = hp::reshape(v, {1, 3});
  CHECK(r.broadcastable() == std::vector<bool>{true, false});
  CHECK(exact(r.eval({{v, hp::array({1., 2., 3.})}}), hp::float64, {1, 3}, {1, 2, 3}) == "");
}

TEST_CASE("reshape to a wrong size is a ShapeError naming both shapes") {
  hp::Var v = hp::vector("v");
  CHECK_THROWS_WITH_AS(hp::reshape(v, {4, 2}).eval({{v, hp::Array::zeros({6})}}),
                       doctest::Contains("(6,)"), hp::ShapeError);
  CHECK_THROWS_WITH_AS(hp::reshape(v, {4, 2}).eval({{v, hp::Array::zeros({6})}}),
                       doctest::Contains("(4, 2)"), hp::ShapeError);
  CHECK_THROWS_AS(hp::reshape(v, {-1, 4}).eval({{v, hp::Array::zeros({6})}}), hp::ShapeError);
}

TEST_CASE("reshape with two -1 is a TypeError") {
  CHECK_THROWS_AS(hp::reshape(hp::vector("v"), {-1, -1}), hp::TypeError);
  CHECK_THROWS_AS(hp::reshape(hp::vector("v"), {-2, 3}), hp::TypeError);
}

TEST_CASE("flatten to one and to two dimensions") {
  hp::Var t = hp::tensor3("t");
  std::vector<double> data(24);
  for (int k = 0; k < 24; ++k) data[k] = k;
  const hp::Array tv = hp::array(data, {2, 3, 4});
  hp::Array f1 = hp::flatten(t).eval({{t, tv}});
  CHECK(exact(f1, hp::float64, {24}, data) == "");
  hp::Var f2 = hp::flatten(t, 2);
  CHECK(f2.ndim() == 2);
  CHECK(exact(f2.eval({{t, tv}}), hp::float64, {2, 12}, data) == "");
  CHECK_THROWS_AS(hp::flatten(t, 4), hp::TypeError);
  CHECK_THROWS_AS(hp::flatten(t, 0), hp::TypeError);
}

TEST_CASE("flatten keeps a broadcastable leading axis") {
  hp::Var t = hp::tensor("t", hp::float64, {true, false, false});
  CHECK(hp::flatten(t, 2).broadcastable() == std::vector<bool>{true, false});
}

TEST_CASE("concatenate on axis 0, axis 1 and a negative axis") {
  hp::Var a = hp::matrix("a"), b = hp::matrix("b"), c = hp::matrix("c");
  const hp::Array bv = hp::array({{7., 8., 9.}}), cv = hp::array({{0.}, {-1.}});
  CHECK(exact(hp::concatenate({a, b}, 0).eval({{a, m23()}, {b, bv}}), hp::float64, {3, 3},
              {1, 2, 3, 4, 5, 6, 7, 8, 9}) == "");
  CHECK(exact(hp::concatenate({a, c}, 1).eval({{a, m23()}, {c, cv}}), hp::float64, {2, 4},
              {1, 2, 3, 0, 4, 5, 6, -1}) == "");
  CHECK(exact(hp::concatenate({c, a}, -1).eval({{a, m23()}, {c, cv}}), hp::float64, {2, 4},
              {0, 1, 2, 3, -1, 4, 5, 6}) == "");
  CHECK(exact(hp::concatenate({a, b, a}).eval({{a, m23()}, {b, bv}}), hp::float64, {5, 3},
              {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6}) == "");
}

TEST_CASE("concatenate of vectors") {
  hp::Var u = hp::vector("u"), v = hp::vector("v");
  CHECK(exact(hp::concatenate({u, v}).eval({{u, hp::array({1., 2.})}, {v, hp::array({3.})}}),
              hp::float64, {3}, {1, 2, 3}) == "");
}

TEST_CASE("concatenate with a mismatched other axis is a ShapeError") {
  hp::Var a = hp::matrix("a"), b = hp::matrix("b");
  CHECK_THROWS_AS(hp::concatenate({a, b}, 0).eval({{a, m23()}, {b, hp::Array::zeros({1, 2})}}),
                  hp::ShapeError);
  CHECK_THROWS_AS(hp::concatenate({a, b}, 1).eval({{a, m23()}, {b, hp::Array::zeros({3, 3})}}),
                  hp::ShapeError);
}

TEST_CASE("concatenate of different ranks or a bad axis is a TypeError") {
  CHECK_THROWS_AS(hp::concatenate({hp::matrix("a"), hp::vector("v")}), hp::TypeError);
  CHECK_THROWS_AS(hp::concatenate({hp::matrix("a"), hp::matrix("b")}, 2), hp::TypeError);
  CHECK_THROWS_AS(hp::concatenate({}), hp::TypeError);
}

TEST_CASE("concatenate promotes dtypes") {
  hp::Var i = hp::vector("i", hp::int8), f = hp::vector("f", hp::float32),
          j = hp::vector("j", hp::int32);
  hp::Var c = hp::concatenate({i, f});
  CHECK(c.dtype() == hp::float32);
  CHECK(exact(c.eval({{i, hp::array({-1, 2}, hp::int8)}, {f, hp::array({0.5}, hp::float32)}}),
              hp::float32, {3}, {-1, 2, 0.5}) == "");
  CHECK(hp::concatenate({j, f}).dtype() == hp::float64);
  hp::Var u = hp::vector("u", hp::uint8);
  CHECK(exact(hp::concatenate({u, i}).eval(
                  {{u, hp::array({255}, hp::uint8)}, {i, hp::array({-1}, hp::int8)}}),
              hp::int16, {2}, {255, -1}) == "");
}

TEST_CASE("shape is an int64 vector") {
  hp::Var m = hp::matrix("m"), s = hp::scalar("s");
  hp::Var sh = hp::shape(m);
  CHECK(sh.dtype() == hp::int64);
  CHECK(sh.broadcastable() == std::vector<bool>{false});
  CHECK(exact(sh.eval({{m, m23()}}), hp::int64, {2}, {2, 3}) == "");
  CHECK(exact(hp::shape(s).eval({{s, 1.0}}), hp::int64, {0}, {}) == "");
  CHECK(exact(hp::shape(m).eval({{m, hp::Array::zeros({0, 5})}}), hp::int64, {2}, {0, 5}) == "");
}

// ============================================================================
// Subtensor
// ============================================================================

TEST_CASE("subtensor with integers") {
  hp::Var x = hp::matrix("x");
  CHECK(exact(hp::subtensor(x, {1}).eval({{x, m34()}}), hp::float64, {4}, {4, 5, 6, 7}) == "");
  CHECK(exact(hp::subtensor(x, {1, 2}).eval({{x, m34()}}), hp::float64, {}, {6}) == "");
  CHECK(exact(hp::subtensor(x, {-1}).eval({{x, m34()}}), hp::float64, {4}, {8, 9, 10, 11}) == "");
  CHECK(exact(hp::subtensor(x, {-3, -4}).eval({{x, m34()}}), hp::float64, {}, {0}) == "");
}

TEST_CASE("subtensor with slices") {
  hp::Var x = hp::matrix("x");
  CHECK(exact(hp::subtensor(x, {hp::slice(1, 3)}).eval({{x, m34()}}), hp::float64, {2, 4},
              {4, 5, 6, 7, 8, 9, 10, 11}) == "");
  CHECK(exact(hp::subtensor(x, {hp::slice(), 1}).eval({{x, m34()}}), hp::float64, {3}, {1, 5, 9}) ==
        "");
  CHECK(exact(hp::subtensor(x, {hp::slice(), hp::slice(0, 4, 2)}).eval({{x, m34()}}), hp::float64,
              {3, 2}, {0, 2, 4, 6, 8, 10}) == "");
  CHECK(exact(hp::subtensor(x, {hp::slice(-2)}).eval({{x, m34()}}), hp::float64, {2, 4},
              {4, 5, 6, 7, 8, 9, 10, 11}) == "");
  CHECK(exact(hp::subtensor(x, {hp::slice(std::nullopt, -1), hp::slice(1, -1)}).eval({{x, m34()}}),
              hp::float64, {2, 2}, {1, 2, 5, 6}) == "");
}

TEST_CASE("subtensor slices clamp past the ends, as Python") {
  hp::Var x = hp::matrix("x");
  CHECK(exact(hp::subtensor(x, {hp::slice(2, 10)}).eval({{x, m34()}}), hp::float64, {1, 4},
              {8, 9, 10, 11}) == "");
  CHECK(exact(hp::subtensor(x, {hp::slice(5, 10)}).eval({{x, m34()}}), hp::float64, {0, 4}, {}) ==
        "");
  CHECK(exact(hp::subtensor(x, {hp::slice(-10, 1)}).eval({{x, m34()}}), hp::float64, {1, 4},
              {0, 1, 2, 3}) == "");
}

TEST_CASE("subtensor with negative steps") {
  hp::Var x = hp::matrix("x"), v = hp::vector("v");
  CHECK(exact(hp::subtensor(x, {hp::slice(std::nullopt, std::nullopt, -1)}).eval({{x, m34()}}),
              hp::float64, {3, 4}, {8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3}) == "");
  CHECK(exact(hp::subtensor(x, {1, hp::slice(std::nullopt, std::nullopt, -2)}).eval({{x, m34()}}),
              hp::float64, {2}, {7, 5}) == "");
  const hp::Array a = hp::array({0., 1., 2., 3., 4., 5.});
  CHECK(exact(hp::subtensor(v, {hp::slice(4, 1, -1)}).eval({{v, a}}), hp::float64, {3},
              {4, 3, 2}) == "");
  CHECK(exact(hp::subtensor(v, {hp::slice(-2, std::nullopt, -2)}).eval({{v, a}}), hp::float64, {3},
              {4, 2, 0}) == "");
  CHECK(exact(hp::subtensor(v, {hp::slice(1, 4, -1)}).eval({{v, a}}), hp::float64, {0}, {}) == "");
}

TEST_CASE("subtensor with fewer indices than axes keeps the rest whole") {
  hp::Var t = hp::tensor3("t");
  const hp::Array tv = hp::array({{{1., 2.}, {3., 4.}}, {{5., 6.}, {7., 8.}}});
  hp::Var s = hp::subtensor(t, {1});
  CHECK(s.ndim() == 2);
  CHECK(exact(s.eval({{t, tv}}), hp::float64, {2, 2}, {5, 6, 7, 8}) == "");
  CHECK(exact(hp::subtensor(t, {hp::slice(), 0}).eval({{t, tv}}), hp::float64, {2, 2},
              {1, 2, 5, 6}) == "");
}

TEST_CASE("subtensor keeps the dtype and a whole broadcastable axis") {
  hp::Var r = hp::row("r", hp::int16);
  hp::Var s = hp::subtensor(r, {hp::slice(), hp::slice(1)});
  CHECK(s.dtype() == hp::int16);
  CHECK(s.broadcastable() == std::vector<bool>{true, false});
  CHECK(exact(s.eval({{r, hp::array({{1, 2, 3}}, hp::int16)}}), hp::int16, {1, 2}, {2, 3}) == "");
}

TEST_CASE("a subtensor index out of range is a ShapeError") {
  hp::Var x = hp::matrix("x");
  CHECK_THROWS_AS(hp::subtensor(x, {3}).eval({{x, m34()}}), hp::ShapeError);
  CHECK_THROWS_AS(hp::subtensor(x, {-4}).eval({{x, m34()}}), hp::ShapeError);
  CHECK_THROWS_AS(hp::subtensor(x, {0, 4}).eval({{x, m34()}}), hp::ShapeError);
  CHECK_THROWS_WITH_AS(hp::subtensor(x, {3}).eval({{x, m34()}}), doctest::Contains("index 3"),
                       hp::ShapeError);
}

TEST_CASE("too many subtensor indices and a zero step are TypeErrors") {
  hp::Var x = hp::matrix("x");
  CHECK_THROWS_AS(hp::subtensor(x, {1, 2, 3}), hp::TypeError);
  CHECK_THROWS_AS(hp::subtensor(hp::scalar("s"), {0}), hp::TypeError);
  CHECK_THROWS_AS(hp::subtensor(x, {hp::slice(std::nullopt, std::nullopt, 0)}), hp::TypeError);
}

TEST_CASE("set_subtensor replaces a region and leaves the input unchanged") {
  hp::Var x = hp::matrix("x");
  const hp::Array a = m34();
  hp::Var r = hp::set_subtensor(hp::subtensor(x, {1}), 0.0);
  CHECK(r.dtype() == hp::float64);
  CHECK(exact(r.eval({{x, a}}), hp::float64, {3, 4}, {0, 1, 2, 3, 0, 0, 0, 0, 8, 9, 10, 11}) == "");
  CHECK(exact(a, hp::float64, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) == "");
}

TEST_CASE("set_subtensor stores -0.0 as -0.0, in the reference evaluator and compiled (fuzzer bug)") {
  // The reference stored 0.0 + y, which is +0.0: 2 / x[0] was +inf there and -inf compiled.
  hp::Var x = hp::vector("x"), y = hp::scalar("y");
  hp::Var r = hp::set_subtensor(hp::subtensor(x, {std::int64_t{0}}), y);
  const hp::Array a = hp::array({17., 3.}), minus_zero = hp::Array(-0.0);
  const hp::Array reference = hp::evaluate({r}, {{x, a}, {y, minus_zero}}).front();
  CHECK(std::signbit(reference.item<double>(0)));
  CHECK(std::signbit(hp::compile({x, y}, {r}, {.mode = hp::Mode::FastRun})(a, minus_zero)[0].item<double>(0)));
  // inc_subtensor adds: 17 + -0.0 is 17, and +0.0 + -0.0 is +0.0, as numpy.
  hp::Var inc = hp::inc_subtensor(hp::subtensor(x, {std::int64_t{0}}), y);
  CHECK_FALSE(std::signbit(hp::evaluate({inc}, {{x, hp::array({0., 3.})}, {y, minus_zero}}).front().item<double>(0)));
}

TEST_CASE("set_subtensor with a value of the region's shape") {
  hp::Var x = hp::matrix("x"), v = hp::vector("v");
  hp::Var r = hp::set_subtensor(hp::subtensor(x, {hp::slice(), 2}), v);
  CHECK(exact(r.eval({{x, m34()}, {v, hp::array({-1., -2., -3.})}}), hp::float64, {3, 4},
              {0, 1, -1, 3, 4, 5, -2, 7, 8, 9, -3, 11}) == "");
}

TEST_CASE("set_subtensor broadcasts the value over the region") {
  hp::Var x = hp::matrix("x"), v = hp::vector("v");
  hp::Var r = hp::set_subtensor(hp::subtensor(x, {hp::slice(0, 2)}), v);
  CHECK(exact(r.eval({{x, m34()}, {v, hp::array({1., 2., 3., 4.})}}), hp::float64, {3, 4},
              {1, 2, 3, 4, 1, 2, 3, 4, 8, 9, 10, 11}) == "");
  CHECK_THROWS_AS(r.eval({{x, m34()}, {v, hp::array({1., 2.})}}), hp::ShapeError);
}

TEST_CASE("set_subtensor through a negative step") {
  hp::Var v = hp::vector("v"), y = hp::vector("y");
  hp::Var r = hp::set_subtensor(hp::subtensor(v, {hp::slice(std::nullopt, std::nullopt, -2)}), y);
  CHECK(exact(r.eval({{v, hp::array({0., 1., 2., 3., 4.})}, {y, hp::array({10., 20., 30.})}}),
              hp::float64, {5}, {30, 1, 20, 3, 10}) == "");
}

TEST_CASE("inc_subtensor adds to a region and leaves the input unchanged") {
  hp::Var x = hp::matrix("x"), v = hp::vector("v");
  const hp::Array a = m34();
  hp::Var r = hp::inc_subtensor(hp::subtensor(x, {hp::slice(), 0}), v);
  CHECK(exact(r.eval({{x, a}, {v, hp::array({10., 20., 30.})}}), hp::float64, {3, 4},
              {10, 1, 2, 3, 24, 5, 6, 7, 38, 9, 10, 11}) == "");
  CHECK(exact(a, hp::float64, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) == "");
}

TEST_CASE("inc_subtensor broadcasts the value over the region") {
  hp::Var x = hp::matrix("x");
  hp::Var r =
      hp::inc_subtensor(hp::subtensor(x, {hp::slice(1), hp::slice(std::nullopt, 2)}), 100.0);
  CHECK(exact(r.eval({{x, m34()}}), hp::float64, {3, 4},
              {0, 1, 2, 3, 104, 105, 6, 7, 108, 109, 10, 11}) == "");
}

TEST_CASE("inc_subtensor on integers wraps as integer addition") {
  hp::Var i = hp::vector("i", hp::int8);
  hp::Var r = hp::inc_subtensor(hp::subtensor(i, {0}), 1);
  CHECK(r.dtype() == hp::int8);
  CHECK(exact(r.eval({{i, hp::array({127, 5}, hp::int8)}}), hp::int8, {2}, {-128, 5}) == "");
}

TEST_CASE("inc_subtensor in float32 rounds a C++ number to float32 first, as numpy 2") {
  hp::Var f = hp::vector("f", hp::float32);
  const hp::Array a = hp::array({0.8724998235702515}, hp::float32);
  // float32(0.8724998 + float32(0.3)); adding 0.3 in doubles would round to 1.1724997758865356.
  CHECK(exact(hp::inc_subtensor(hp::subtensor(f, {0}), 0.3).eval({{f, a}}), hp::float32, {1},
              {1.1724998950958252}) == "");
  CHECK(exact((f + 0.3).eval({{f, a}}), hp::float32, {1}, {1.1724998950958252}) == "");
}

TEST_CASE("storing a C++ integer that does not fit the tensor's dtype is a TypeError") {
  hp::Var i = hp::vector("i", hp::int8);
  CHECK_THROWS_AS(hp::set_subtensor(hp::subtensor(i, {0}), 300), hp::TypeError);
  CHECK_THROWS_AS(hp::inc_subtensor(hp::subtensor(i, {0}), -129), hp::TypeError);
  CHECK(
      exact(hp::set_subtensor(hp::subtensor(i, {0}), -128).eval({{i, hp::array({1, 2}, hp::int8)}}),
            hp::int8, {2}, {-128, 2}) == "");
}

TEST_CASE("set_subtensor of something that is not a subtensor is a TypeError") {
  hp::Var x = hp::matrix("x");
  CHECK_THROWS_AS(hp::set_subtensor(x, 0.0), hp::TypeError);
  CHECK_THROWS_AS(hp::inc_subtensor(x + 1.0, 0.0), hp::TypeError);
}

TEST_CASE("storing float values into an integer tensor casts them, as Theano") {
  hp::Var i = hp::matrix("i", hp::int32), f = hp::vector("f");
  CHECK(hp::set_subtensor(hp::subtensor(i, {0}), f).dtype() == hp::int32);
  // numpy's astype: 2.7 -> 2 and -2.7 -> -2 (toward zero).
  CHECK(exact(hp::set_subtensor(hp::subtensor(i, {0}), f)
                  .eval({{i, hp::array({{1, 2}, {3, 4}}, hp::int32)}, {f, hp::array({2.7, -2.7})}}),
              hp::int32, {2, 2}, {2, -2, 3, 4}) == "");
  CHECK(exact(hp::inc_subtensor(hp::subtensor(i, {0}), 0.5).eval({{i, hp::array({{1, 2}, {3, 4}}, hp::int32)}}),
              hp::int32, {2, 2}, {1, 2, 3, 4}) == "");
  CHECK_NOTHROW(hp::set_subtensor(hp::subtensor(i, {0}), hp::vector("k", hp::int8)));
}

TEST_CASE("a value of higher rank than the region is a TypeError") {
  hp::Var x = hp::matrix("x");
  CHECK_THROWS_AS(hp::set_subtensor(hp::subtensor(x, {0}), hp::matrix("y")), hp::TypeError);
}

// ============================================================================
// Softmax
// ============================================================================

TEST_CASE("softmax of a matrix normalises each row") {
  hp::Var x = hp::matrix("x");
  hp::Var s = hp::softmax(x);
  const hp::Array a = hp::array({{1., 2., 3.}, {1., 1., 1.}});
  CHECK(close(s.eval({{x, a}}), hp::float64, {2, 3},
              {0.09003057317038046, 0.24472847105479764, 0.6652409557748218, 1.0 / 3, 1.0 / 3,
               1.0 / 3}) == "");
  CHECK(close(hp::sum(s, 1).eval({{x, a}}), hp::float64, {2}, {1, 1}, 1e-12) == "");
}

TEST_CASE("softmax of large inputs does not overflow") {
  hp::Var x = hp::matrix("x");
  CHECK(close(hp::softmax(x).eval({{x, hp::array({{1000., 1001.}})}}), hp::float64, {1, 2},
              {0.2689414213699951, 0.7310585786300049}) == "");
  CHECK(close(hp::softmax(x).eval({{x, hp::array({{-1000., -1001.}})}}), hp::float64, {1, 2},
              {0.7310585786300049, 0.2689414213699951}) == "");
}

TEST_CASE("softmax of a vector") {
  hp::Var v = hp::vector("v");
  CHECK(close(hp::softmax(v).eval({{v, hp::array({0., 1.0986122886681098})}}), hp::float64, {2},
              {0.25, 0.75}) == "");
  CHECK(exact(hp::softmax(v).eval({{v, hp::array({5.})}}), hp::float64, {1}, {1}) == "");
}

TEST_CASE("softmax gives -inf inputs probability 0") {
  hp::Var v = hp::vector("v");
  CHECK(exact(hp::softmax(v).eval({{v, hp::array({-kInf, 0.})}}), hp::float64, {2}, {0, 1}) == "");
}

TEST_CASE("softmax of a tensor3 normalises along the last axis") {
  hp::Var t = hp::tensor3("t");
  hp::Array r = hp::softmax(t).eval(
      {{t, hp::array({{{0., 0.}, {1000., 1001.}}, {{0., 1.0986122886681098}, {5., 5.}}})}});
  CHECK(close(r, hp::float64, {2, 2, 2},
              {0.5, 0.5, 0.2689414213699951, 0.7310585786300049, 0.25, 0.75, 0.5, 0.5}) == "");
}

TEST_CASE("softmax keeps float32 and computes integers in floats") {
  hp::Var f = hp::vector("f", hp::float32), i = hp::vector("i", hp::int32);
  CHECK(close(hp::softmax(f).eval({{f, hp::array({0., 0.}, hp::float32)}}), hp::float32, {2},
              {0.5, 0.5}) == "");
  CHECK(close(hp::softmax(i).eval({{i, hp::array({2, 2})}}), hp::float64, {2}, {0.5, 0.5}) == "");
  CHECK_THROWS_AS(hp::softmax(hp::scalar("s")), hp::TypeError);
}

// ============================================================================
// Strided inputs: views given as values
// ============================================================================

TEST_CASE("a transposed view given as a value") {
  const hp::Array t = m23().transpose();  // (3, 2): [[1, 4], [2, 5], [3, 6]]
  REQUIRE_FALSE(t.is_contiguous());
  hp::Var x = hp::matrix("x"), v = hp::vector("v");
  CHECK(exact((x * 1.0).eval({{x, t}}), hp::float64, {3, 2}, {1, 4, 2, 5, 3, 6}) == "");
  CHECK(exact(hp::sum(x, 0).eval({{x, t}}), hp::float64, {2}, {6, 15}) == "");
  CHECK(exact(hp::sum(x, 1).eval({{x, t}}), hp::float64, {3}, {5, 7, 9}) == "");
  CHECK(exact(hp::argmax(x).eval({{x, t}}), hp::int64, {}, {5}) == "");
  CHECK(exact(hp::dot(x, v).eval({{x, t}, {v, hp::array({1., -1.})}}), hp::float64, {3},
              {-3, -3, -3}) == "");
  CHECK(exact(hp::dot(v, x).eval({{x, t}, {v, hp::array({1., 0., 1.})}}), hp::float64, {2},
              {4, 10}) == "");
  CHECK(exact(hp::flatten(x).eval({{x, t}}), hp::float64, {6}, {1, 4, 2, 5, 3, 6}) == "");
  CHECK(exact(hp::reshape(x, {2, 3}).eval({{x, t}}), hp::float64, {2, 3}, {1, 4, 2, 5, 3, 6}) ==
        "");
  CHECK(exact(hp::transpose(x).eval({{x, t}}), hp::float64, {2, 3}, {1, 2, 3, 4, 5, 6}) == "");
  CHECK(exact(hp::subtensor(x, {hp::slice(), 1}).eval({{x, t}}), hp::float64, {3}, {4, 5, 6}) ==
        "");
  CHECK(exact(hp::concatenate({x, x}, 1).eval({{x, t}}), hp::float64, {3, 4},
              {1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6}) == "");
}

TEST_CASE("a sliced view with a step given as a value") {
  const hp::Array s = m34().slice(1, 0, 3, 2);  // columns 0 and 2: [[0, 2], [4, 6], [8, 10]]
  REQUIRE(s.shape() == hp::Shape{3, 2});
  hp::Var x = hp::matrix("x"), y = hp::matrix("y");
  CHECK(exact((x + 1.0).eval({{x, s}}), hp::float64, {3, 2}, {1, 3, 5, 7, 9, 11}) == "");
  CHECK(exact(hp::sum(x).eval({{x, s}}), hp::float64, {}, {30}) == "");
  CHECK(exact(hp::max(x, 0).eval({{x, s}}), hp::float64, {2}, {8, 10}) == "");
  CHECK(exact(hp::dot(hp::transpose(x), y).eval({{x, s}, {y, s}}), hp::float64, {2, 2},
              {80, 104, 104, 140}) == "");
  CHECK(exact(hp::set_subtensor(hp::subtensor(x, {0}), -1.0).eval({{x, s}}), hp::float64, {3, 2},
              {-1, -1, 4, 6, 8, 10}) == "");
  CHECK(close(hp::softmax(x).eval({{x, s}}), hp::float64, {3, 2},
              {0.11920292202211755, 0.8807970779778823, 0.11920292202211755, 0.8807970779778823,
               0.11920292202211755, 0.8807970779778823}) == "");
  CHECK(exact(m34(), hp::float64, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) == "");
}

TEST_CASE("a reversed view given as a value") {
  const hp::Array r = hp::array({1., 2., 3., 4.}).slice(0, 3, -5, -1);  // [4, 3, 2, 1]
  hp::Var v = hp::vector("v");
  CHECK(exact((v * 2.0).eval({{v, r}}), hp::float64, {4}, {8, 6, 4, 2}) == "");
  CHECK(exact(hp::argmax(v).eval({{v, r}}), hp::int64, {}, {0}) == "");
  CHECK(exact(hp::dot(v, v).eval({{v, r}}), hp::float64, {}, {30}) == "");
}

TEST_CASE("a broadcast (stride 0) view given as a value") {
  const hp::Array b = hp::array({1., 2., 3.}).broadcast_to({2, 3});
  hp::Var x = hp::matrix("x");
  CHECK(exact((x * x).eval({{x, b}}), hp::float64, {2, 3}, {1, 4, 9, 1, 4, 9}) == "");
  CHECK(exact(hp::sum(x, 0).eval({{x, b}}), hp::float64, {3}, {2, 4, 6}) == "");
  CHECK(exact(hp::inc_subtensor(hp::subtensor(x, {0, 0}), 10.0).eval({{x, b}}), hp::float64, {2, 3},
              {11, 2, 3, 1, 2, 3}) == "");
}

TEST_CASE("dimshuffle and reshape of a strided view") {
  const hp::Array s = m34().slice(1, 0, 3, 2);  // [[0, 2], [4, 6], [8, 10]]
  hp::Var x = hp::matrix("x");
  CHECK(exact(hp::dimshuffle(x, {1, hp::newaxis, 0}).eval({{x, s}}), hp::float64, {2, 1, 3},
              {0, 4, 8, 2, 6, 10}) == "");
  CHECK(exact(hp::reshape(x, {2, 3}).eval({{x, s}}), hp::float64, {2, 3}, {0, 2, 4, 6, 8, 10}) ==
        "");
}

TEST_CASE("a value given for an intermediate variable replaces its computation") {
  hp::Var x = hp::vector("x");
  hp::Var y = x * 2.0;
  hp::Var z = y + 1.0;
  CHECK(exact(z.eval({{y, hp::array({5., 6.})}}), hp::float64, {2}, {6, 7}) == "");
}

TEST_CASE("results do not share storage with the given values") {
  hp::Array a = hp::array({1., 2.});
  hp::Var v = hp::vector("v");
  hp::Array r = hp::reshape(v, {2}).eval({{v, a}});
  CHECK_FALSE(r.shares_storage(a));
  hp::Array s = hp::subtensor(v, {hp::slice()}).eval({{v, a}});
  CHECK_FALSE(s.shares_storage(a));
}

// ============================================================================
// Size-0 inputs
// ============================================================================

TEST_CASE("elementwise ops of size-0 inputs give size-0 results") {
  hp::Var m = hp::matrix("m"), v = hp::vector("v");
  CHECK(exact((m + v).eval({{m, hp::Array::zeros({0, 3})}, {v, hp::array({1., 2., 3.})}}),
              hp::float64, {0, 3}, {}) == "");
  CHECK(exact(hp::exp(v).eval({{v, hp::Array::zeros({0})}}), hp::float64, {0}, {}) == "");
  CHECK(exact((v * 2.0 < 1.0).eval({{v, hp::Array::zeros({0})}}), hp::bool_, {0}, {}) == "");
  hp::Var r = hp::row("r");
  CHECK(exact((m * r).eval({{m, hp::Array::zeros({0, 3})}, {r, hp::Array::ones({1, 3})}}),
              hp::float64, {0, 3}, {}) == "");
}

TEST_CASE("a size-0 axis does not stretch against a non-broadcastable size-1 axis") {
  hp::Var u = hp::vector("u"), v = hp::vector("v");
  CHECK_THROWS_AS((u + v).eval({{u, hp::Array::zeros({0})}, {v, hp::Array::zeros({1})}}),
                  hp::ShapeError);
}

TEST_CASE("reductions of size-0 inputs") {
  hp::Var m = hp::matrix("m");
  const hp::Array e = hp::Array::zeros({0, 3});
  CHECK(exact(hp::sum(m, 0).eval({{m, e}}), hp::float64, {3}, {0, 0, 0}) == "");
  CHECK(exact(hp::sum(m, 1).eval({{m, e}}), hp::float64, {0}, {}) == "");
  CHECK(exact(hp::prod(m, 0).eval({{m, e}}), hp::float64, {3}, {1, 1, 1}) == "");
  CHECK(exact(hp::sum(m, 0, true).eval({{m, e}}), hp::float64, {1, 3}, {0, 0, 0}) == "");
  CHECK(exact(hp::argmax(m, 1).eval({{m, e}}), hp::int64, {0}, {}) == "");
}

TEST_CASE("dot of size-0 inputs") {
  hp::Var a = hp::matrix("a"), b = hp::matrix("b"), u = hp::vector("u");
  CHECK(exact(hp::dot(a, b).eval({{a, hp::Array::zeros({0, 3})}, {b, hp::Array::ones({3, 2})}}),
              hp::float64, {0, 2}, {}) == "");
  CHECK(exact(hp::dot(a, b).eval({{a, hp::Array::ones({2, 0})}, {b, hp::Array::ones({0, 3})}}),
              hp::float64, {2, 3}, {0, 0, 0, 0, 0, 0}) == "");
  CHECK(exact(hp::dot(u, u).eval({{u, hp::Array::zeros({0})}}), hp::float64, {}, {0}) == "");
  CHECK(exact(hp::dot(a, u).eval({{a, hp::Array::ones({2, 0})}, {u, hp::Array::zeros({0})}}),
              hp::float64, {2}, {0, 0}) == "");
}

TEST_CASE("shape ops of size-0 inputs") {
  hp::Var m = hp::matrix("m");
  const hp::Array e = hp::Array::zeros({0, 3});
  CHECK(exact(hp::flatten(m).eval({{m, e}}), hp::float64, {0}, {}) == "");
  CHECK(exact(hp::reshape(m, {-1, 3}).eval({{m, e}}), hp::float64, {0, 3}, {}) == "");
  CHECK(exact(hp::transpose(m).eval({{m, e}}), hp::float64, {3, 0}, {}) == "");
  CHECK(exact(hp::concatenate({m, m}).eval({{m, e}}), hp::float64, {0, 3}, {}) == "");
  CHECK(exact(hp::softmax(m).eval({{m, e}}), hp::float64, {0, 3}, {}) == "");
  hp::Var t = hp::tensor3("t");
  CHECK(exact(hp::flatten(t, 2).eval({{t, hp::Array::zeros({2, 0, 4})}}), hp::float64, {2, 0},
              {}) == "");
}

TEST_CASE("a braced list of axes picks the list overload: {} reduces no axis, {1} reduces axis 1") {
  hp::Var m = hp::matrix("m");
  const hp::Array v = hp::array({{1., 2.}, {3., 4.}});
  CHECK(hp::sum(m, {}).eval({{m, v}}).shape() == hp::Shape{2, 2});
  CHECK(hp::sum(m, {1}).eval({{m, v}}).to_vector<double>() == std::vector<double>{3., 7.});
  CHECK(hp::max(m, {0, 1}, true).eval({{m, v}}).shape() == hp::Shape{1, 1});
  CHECK(hp::sum(m, 1).eval({{m, v}}).to_vector<double>() == std::vector<double>{3., 7.});
}
