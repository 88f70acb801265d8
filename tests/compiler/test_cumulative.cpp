// cumsum and cumprod (issue 19): values, dtypes, axes, special values,
// strided inputs and gradients. Every result comes from code compiled in
// FastRun, checked against the reference evaluator (eval_nonfinite), and is
// then compared with numbers written out by hand (checked against numpy) or
// with a plain running-sum loop written here.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "tests/support/nonfinite.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using hypatia_test::exact;

/// out for these inputs, compiled in FastRun and checked against the reference.
hp::Array run(const hp::Var& out, const std::vector<std::pair<hp::Var, hp::Array>>& givens) {
  return hypatia_test::eval_nonfinite(out, givens);
}

/// A running sum or product along `axis` of C-order `values` of a tensor of
/// shape `shape`, in double, in order from the first element.
std::vector<double> running(const std::vector<double>& values, const hp::Shape& shape, int axis, bool product) {
  std::int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= shape[a];
  for (std::size_t a = static_cast<std::size_t>(axis) + 1; a < shape.size(); ++a) inner *= shape[a];
  const std::int64_t n = shape[static_cast<std::size_t>(axis)];
  std::vector<double> out(values.size());
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      double acc = product ? 1.0 : 0.0;
      for (std::int64_t j = 0; j < n; ++j) {
        const std::size_t at = static_cast<std::size_t>((o * n + j) * inner + i);
        acc = product ? acc * values[at] : acc + values[at];
        out[at] = acc;
      }
    }
  }
  return out;
}

std::vector<double> uniform_values(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = dist(rng);
  return v;
}

}  // namespace

TEST_CASE("cumsum and cumprod of a vector") {
  const hp::Var x = hp::vector("x");
  const hp::Array v = hp::array(std::vector<double>{1, 2, 3, 4});
  CHECK(exact(run(hp::cumsum(x, 0), {{x, v}}), hp::float64, {4}, {1, 3, 6, 10}) == "");
  CHECK(exact(run(hp::cumprod(x, 0), {{x, v}}), hp::float64, {4}, {1, 2, 6, 24}) == "");
  CHECK(exact(run(hp::cumsum(x, -1), {{x, v}}), hp::float64, {4}, {1, 3, 6, 10}) == "");
}

TEST_CASE("cumsum and cumprod of a matrix along each axis, negative axes included") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = hp::array({{1., 2., 3.}, {4., 5., 6.}});
  CHECK(exact(run(hp::cumsum(m, 0), {{m, v}}), hp::float64, {2, 3}, {1, 2, 3, 5, 7, 9}) == "");
  CHECK(exact(run(hp::cumsum(m, 1), {{m, v}}), hp::float64, {2, 3}, {1, 3, 6, 4, 9, 15}) == "");
  CHECK(exact(run(hp::cumsum(m, -2), {{m, v}}), hp::float64, {2, 3}, {1, 2, 3, 5, 7, 9}) == "");
  CHECK(exact(run(hp::cumprod(m, 0), {{m, v}}), hp::float64, {2, 3}, {1, 2, 3, 4, 10, 18}) == "");
  CHECK(exact(run(hp::cumprod(m, -1), {{m, v}}), hp::float64, {2, 3}, {1, 2, 6, 4, 20, 120}) == "");
}

TEST_CASE("without an axis, cumsum and cumprod run over the flattened tensor, as numpy") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = hp::array({{1., 2.}, {3., 4.}});
  CHECK(exact(run(hp::cumsum(m), {{m, v}}), hp::float64, {4}, {1, 3, 6, 10}) == "");
  CHECK(exact(run(hp::cumprod(m), {{m, v}}), hp::float64, {4}, {1, 2, 6, 24}) == "");
  const hp::Var s = hp::scalar("s");
  CHECK(exact(run(hp::cumsum(s), {{s, hp::Array(5.0)}}), hp::float64, {1}, {5}) == "");
  CHECK(hp::cumsum(m).ndim() == 1);
}

TEST_CASE("bool and integers accumulate in int64; floats keep their dtype") {
  const hp::Var b = hp::vector("b", hp::bool_), i8 = hp::vector("i8", hp::int8), u8 = hp::vector("u8", hp::uint8);
  const hp::Var i32 = hp::vector("i32", hp::int32), f32 = hp::vector("f32", hp::float32);
  CHECK(exact(run(hp::cumsum(b, 0), {{b, hp::array(std::vector<double>{1, 1, 0, 1}).astype(hp::bool_)}}),
              hp::int64, {4}, {1, 2, 2, 3}) == "");
  CHECK(exact(run(hp::cumsum(i8, 0), {{i8, hp::array(std::vector<double>{100, 100, 100}).astype(hp::int8)}}),
              hp::int64, {3}, {100, 200, 300}) == "");
  CHECK(exact(run(hp::cumprod(u8, 0), {{u8, hp::array(std::vector<double>{200, 3}).astype(hp::uint8)}}),
              hp::int64, {2}, {200, 600}) == "");
  CHECK(exact(run(hp::cumsum(i32, 0), {{i32, hp::array(std::vector<double>{-5, 2, 7}).astype(hp::int32)}}),
              hp::int64, {3}, {-5, -3, 4}) == "");
  // float32 accumulates in float32: 1e8 + 1 rounds back to 1e8 (numpy gives the same).
  CHECK(exact(run(hp::cumsum(f32, 0), {{f32, hp::array(std::vector<double>{1e8, 1, 1}).astype(hp::float32)}}),
              hp::float32, {3}, {1e8, 1e8, 1e8}) == "");
}

TEST_CASE("int64 cumsum and cumprod wrap around at the type's limits, as numpy") {
  const hp::Var x = hp::vector("x", hp::int64);
  const std::int64_t max = std::numeric_limits<std::int64_t>::max(), min = std::numeric_limits<std::int64_t>::min();
  const hp::Array wrap = hp::array(std::vector<std::int64_t>{max, 1, -1});
  const std::vector<std::int64_t> sums = run(hp::cumsum(x, 0), {{x, wrap}}).to_vector<std::int64_t>();
  CHECK(sums == std::vector<std::int64_t>{max, min, max});
  const hp::Array doubling = hp::array(std::vector<std::int64_t>{min, -1, 2});
  const std::vector<std::int64_t> products = run(hp::cumprod(x, 0), {{x, doubling}}).to_vector<std::int64_t>();
  CHECK(products == std::vector<std::int64_t>{min, min, 0});
}

TEST_CASE("NaN and infinities propagate from where they appear; inf - inf is NaN") {
  const hp::Var x = hp::vector("x");
  CHECK(exact(run(hp::cumsum(x, 0), {{x, hp::array(std::vector<double>{1, kNaN, 2})}}), hp::float64, {3},
              {1, kNaN, kNaN}) == "");
  CHECK(exact(run(hp::cumsum(x, 0), {{x, hp::array(std::vector<double>{kInf, 1, -kInf})}}), hp::float64, {3},
              {kInf, kInf, kNaN}) == "");
  CHECK(exact(run(hp::cumprod(x, 0), {{x, hp::array(std::vector<double>{-kInf, 2, 0})}}), hp::float64, {3},
              {-kInf, -kInf, kNaN}) == "");
  CHECK(exact(run(hp::cumprod(x, 0), {{x, hp::array(std::vector<double>{2, 0, kInf})}}), hp::float64, {3},
              {2, 0, kNaN}) == "");
}

TEST_CASE("a leading -0.0 stays -0.0, as numpy's accumulate copies the first element") {
  const hp::Var x = hp::vector("x");
  const hp::Array sums = run(hp::cumsum(x, 0), {{x, hp::array(std::vector<double>{-0.0, -0.0, 0.0})}});
  const std::vector<double> s = sums.to_vector<double>();
  CHECK(std::signbit(s[0]));
  CHECK(std::signbit(s[1]));
  CHECK_FALSE(std::signbit(s[2]));
  const std::vector<double> p =
      run(hp::cumprod(x, 0), {{x, hp::array(std::vector<double>{-0.0, 2.0})}}).to_vector<double>();
  CHECK(std::signbit(p[0]));
  CHECK(std::signbit(p[1]));
}

TEST_CASE("empty axes give empty results; length-1 axes copy the input") {
  const hp::Var m = hp::matrix("m");
  CHECK(exact(run(hp::cumsum(m, 1), {{m, hp::Array::zeros({2, 0}, hp::float64)}}), hp::float64, {2, 0}, {}) == "");
  CHECK(exact(run(hp::cumprod(m, 1), {{m, hp::Array::zeros({0, 3}, hp::float64)}}), hp::float64, {0, 3}, {}) == "");
  CHECK(exact(run(hp::cumsum(m, 0), {{m, hp::Array::zeros({0, 3}, hp::float64)}}), hp::float64, {0, 3}, {}) == "");
  CHECK(exact(run(hp::cumsum(m, 1), {{m, hp::array({{7.}, {-2.}})}}), hp::float64, {2, 1}, {7, -2}) == "");
  CHECK(exact(run(hp::cumprod(m, 0), {{m, hp::array({{7., -2.}})}}), hp::float64, {1, 2}, {7, -2}) == "");
}

TEST_CASE("transposed and sliced inputs accumulate along the view's axes") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = hp::array({{1., 2., 3.}, {4., 5., 6.}});
  // transpose(m) = [[1, 4], [2, 5], [3, 6]]
  CHECK(exact(run(hp::cumsum(hp::transpose(m), 1), {{m, v}}), hp::float64, {3, 2}, {1, 5, 2, 7, 3, 9}) == "");
  CHECK(exact(run(hp::cumsum(hp::transpose(m), 0), {{m, v}}), hp::float64, {3, 2}, {1, 4, 3, 9, 6, 15}) == "");
  // m[:, ::-1] = [[3, 2, 1], [6, 5, 4]]
  const hp::Var reversed = hp::subtensor(m, {hp::slice(), hp::slice(std::nullopt, std::nullopt, -1)});
  CHECK(exact(run(hp::cumprod(reversed, 1), {{m, v}}), hp::float64, {2, 3}, {3, 6, 6, 6, 30, 120}) == "");
}

TEST_CASE("cumsum and cumprod of random tensors equal a running loop along every axis") {
  const hp::Var t = hp::tensor3("t");
  const hp::Shape shape{3, 4, 5};
  const std::vector<double> values = uniform_values(60, 0.5, 1.5, 7);
  const hp::Array v = hp::array(values, shape);
  for (int axis = 0; axis < 3; ++axis) {
    INFO("axis ", axis);
    CHECK(exact(run(hp::cumsum(t, axis), {{t, v}}), hp::float64, shape, running(values, shape, axis, false)) == "");
    CHECK(exact(run(hp::cumprod(t, axis - 3), {{t, v}}), hp::float64, shape, running(values, shape, axis, true)) ==
          "");
  }
  const hp::Var x = hp::vector("x");
  const std::vector<double> long_values = uniform_values(100000, -1, 1, 8);
  CHECK(exact(run(hp::cumsum(x, 0), {{x, hp::array(long_values)}}), hp::float64, {100000},
              running(long_values, {100000}, 0, false)) == "");
}

TEST_CASE("the gradient of cumsum is the reversed cumulative sum of the output gradient") {
  const hp::Var x = hp::vector("x"), w = hp::vector("w");
  const hp::Var g = hp::grad(hp::sum(hp::cumsum(x, 0) * w), x);
  // d/dx_i = sum_{j >= i} w_j
  CHECK(exact(run(g, {{x, hp::array(std::vector<double>{5, 6, 7})}, {w, hp::array(std::vector<double>{1, 10, 100})}}),
              hp::float64, {3}, {111, 110, 100}) == "");
  const hp::Var m = hp::matrix("m");
  const hp::Var gm = hp::grad(hp::sum(hp::cumsum(m, 1)), m);
  CHECK(exact(run(gm, {{m, hp::Array::zeros({2, 3}, hp::float64)}}), hp::float64, {2, 3}, {3, 2, 1, 3, 2, 1}) == "");
  const hp::Var gf = hp::grad(hp::sum(hp::cumsum(m)), m);
  CHECK(exact(run(gf, {{m, hp::Array::zeros({2, 2}, hp::float64)}}), hp::float64, {2, 2}, {4, 3, 2, 1}) == "");
}

TEST_CASE("the gradient of cumprod is Theano's: reversed cumsum(g * out) / x, NaN where x is 0") {
  const hp::Var x = hp::vector("x");
  const hp::Var g = hp::grad(hp::sum(hp::cumprod(x, 0)), x);
  // out = [2, 6, 24]: d/dx0 = 1 + 3 + 12, d/dx1 = 2 + 8, d/dx2 = 6
  CHECK(exact(run(g, {{x, hp::array(std::vector<double>{2, 3, 4})}}), hp::float64, {3}, {16, 10, 6}) == "");
  // At a zero the formula divides 0 by 0 (the true derivative there is 2 + 2 * 3 = 8).
  CHECK(exact(run(g, {{x, hp::array(std::vector<double>{2, 0, 3})}}), hp::float64, {3}, {1, kNaN, 0}) == "");
}

TEST_CASE("cumsum and cumprod print with their axis and refuse axes out of range") {
  const hp::Var x = hp::vector("x"), m = hp::matrix("m");
  CHECK(hp::pp(hp::cumsum(x, -1)) == "cumsum(x, axis=0)");
  CHECK(hp::pp(hp::cumprod(m, 1)) == "cumprod(m, axis=1)");
  CHECK(hp::cumsum(m, 1).type().str() == "TensorType(float64, matrix)");
  CHECK(hp::cumsum(hp::matrix("i", hp::int16), 0).dtype() == hp::int64);
  CHECK_THROWS_AS(hp::cumsum(m, 2), hp::TypeError);
  CHECK_THROWS_AS(hp::cumprod(m, -3), hp::TypeError);
  CHECK_THROWS_AS(hp::cumsum(hp::scalar("s"), 0), hp::TypeError);
  CHECK_THROWS_AS(hp::cumsum(hp::Var()), hp::Error);
}
