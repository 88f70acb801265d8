// sort, argsort and searchsorted (issue 19): numpy's stable order with NaN
// last, every axis, dtypes, special values, strided inputs and gradients.
// Every result comes from code compiled in FastRun, checked against the
// reference evaluator (eval_nonfinite), and is then compared with numbers
// written out by hand (checked against numpy) or with std::stable_sort over a
// copy and a linear scan written here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
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

hp::Array run(const hp::Var& out, const std::vector<std::pair<hp::Var, hp::Array>>& givens) {
  return hypatia_test::eval_nonfinite(out, givens);
}

/// numpy's order written independently: NaN after every number.
bool before(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

/// The stable argsort of each line along `axis` of C-order `values` of `shape`.
std::vector<double> naive_argsort(const std::vector<double>& values, const hp::Shape& shape, int axis) {
  std::int64_t outer = 1, inner = 1;
  for (int a = 0; a < axis; ++a) outer *= shape[a];
  for (std::size_t a = static_cast<std::size_t>(axis) + 1; a < shape.size(); ++a) inner *= shape[a];
  const std::int64_t n = shape[static_cast<std::size_t>(axis)];
  std::vector<double> out(values.size());
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      auto at = [&](std::int64_t j) { return static_cast<std::size_t>((o * n + j) * inner + i); };
      std::vector<std::int64_t> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), std::int64_t{0});
      std::stable_sort(order.begin(), order.end(),
                       [&](std::int64_t p, std::int64_t q) { return before(values[at(p)], values[at(q)]); });
      for (std::int64_t j = 0; j < n; ++j) out[at(j)] = static_cast<double>(order[static_cast<std::size_t>(j)]);
    }
  }
  return out;
}

/// The values the stable argsort picks, along `axis`.
std::vector<double> naive_sort(const std::vector<double>& values, const hp::Shape& shape, int axis) {
  const std::vector<double> order = naive_argsort(values, shape, axis);
  std::int64_t inner = 1;
  for (std::size_t a = static_cast<std::size_t>(axis) + 1; a < shape.size(); ++a) inner *= shape[a];
  const std::int64_t n = shape[static_cast<std::size_t>(axis)];
  std::vector<double> out(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::int64_t flat = static_cast<std::int64_t>(k);
    const std::int64_t j = (flat / inner) % n;
    const std::int64_t from = flat + (static_cast<std::int64_t>(order[k]) - j) * inner;
    out[k] = values[static_cast<std::size_t>(from)];
  }
  return out;
}

/// Values with many ties (integers 0..9) and some NaN, from `seed`.
std::vector<double> tied_values(std::size_t n, unsigned seed, bool with_nan) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> digit(0, 11);
  std::vector<double> v(n);
  for (double& x : v) {
    const int d = digit(rng);
    x = d >= 10 ? (with_nan ? kNaN : -1.0) : d - 5.0;
  }
  return v;
}

}  // namespace

TEST_CASE("sort and argsort of a vector, along the last axis by default") {
  const hp::Var x = hp::vector("x");
  const hp::Array v = hp::array(std::vector<double>{3, 1, 2, -4});
  CHECK(exact(run(hp::sort(x), {{x, v}}), hp::float64, {4}, {-4, 1, 2, 3}) == "");
  CHECK(exact(run(hp::argsort(x), {{x, v}}), hp::int64, {4}, {3, 1, 2, 0}) == "");
}

TEST_CASE("sort and argsort of a matrix along each axis, negative axes included") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = hp::array({{3., 1., 2.}, {0., 5., -1.}});
  CHECK(exact(run(hp::sort(m, 1), {{m, v}}), hp::float64, {2, 3}, {1, 2, 3, -1, 0, 5}) == "");
  CHECK(exact(run(hp::sort(m, 0), {{m, v}}), hp::float64, {2, 3}, {0, 1, -1, 3, 5, 2}) == "");
  CHECK(exact(run(hp::sort(m, -2), {{m, v}}), hp::float64, {2, 3}, {0, 1, -1, 3, 5, 2}) == "");
  CHECK(exact(run(hp::argsort(m, -1), {{m, v}}), hp::int64, {2, 3}, {1, 2, 0, 2, 0, 1}) == "");
  CHECK(exact(run(hp::argsort(m, 0), {{m, v}}), hp::int64, {2, 3}, {1, 0, 1, 0, 1, 0}) == "");
}

TEST_CASE("argsort is stable: equal values keep their input order, -0.0 equal to +0.0") {
  const hp::Var x = hp::vector("x");
  CHECK(exact(run(hp::argsort(x), {{x, hp::array(std::vector<double>{2, 1, 2, 1, 2})}}), hp::int64, {5},
              {1, 3, 0, 2, 4}) == "");
  CHECK(exact(run(hp::argsort(x), {{x, hp::array(std::vector<double>{0.0, -0.0, 0.0, -0.0})}}), hp::int64, {4},
              {0, 1, 2, 3}) == "");
  const std::vector<double> zeros =
      run(hp::sort(x), {{x, hp::array(std::vector<double>{1.0, 0.0, -0.0, -1.0})}}).to_vector<double>();
  CHECK(zeros[0] == -1.0);
  CHECK_FALSE(std::signbit(zeros[1]));  // +0.0 came first
  CHECK(std::signbit(zeros[2]));
  CHECK(zeros[3] == 1.0);
}

TEST_CASE("NaN sorts last, after +inf, in input order; -inf first") {
  const hp::Var x = hp::vector("x");
  const hp::Array v = hp::array(std::vector<double>{kNaN, 1, kInf, -kInf, kNaN, 0});
  CHECK(exact(run(hp::sort(x), {{x, v}}), hp::float64, {6}, {-kInf, 0, 1, kInf, kNaN, kNaN}) == "");
  CHECK(exact(run(hp::argsort(x), {{x, v}}), hp::int64, {6}, {3, 5, 1, 2, 0, 4}) == "");
  const hp::Var f = hp::vector("f", hp::float32);
  CHECK(exact(run(hp::sort(f), {{f, v.astype(hp::float32)}}), hp::float32, {6}, {-kInf, 0, 1, kInf, kNaN, kNaN}) ==
        "");
}

TEST_CASE("integer sorts reach the type's limits; bool sorts false first") {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max(), min = std::numeric_limits<std::int64_t>::min();
  const hp::Var i = hp::vector("i", hp::int64);
  const hp::Array v = hp::array(std::vector<std::int64_t>{max, -1, min, 0, min});
  CHECK(run(hp::sort(i), {{i, v}}).to_vector<std::int64_t>() == std::vector<std::int64_t>{min, min, -1, 0, max});
  CHECK(exact(run(hp::argsort(i), {{i, v}}), hp::int64, {5}, {2, 4, 1, 3, 0}) == "");
  const hp::Var u = hp::vector("u", hp::uint8);
  CHECK(exact(run(hp::sort(u), {{u, hp::array(std::vector<double>{255, 0, 128}).astype(hp::uint8)}}), hp::uint8, {3},
              {0, 128, 255}) == "");
  const hp::Var s = hp::vector("s", hp::int8);
  CHECK(exact(run(hp::sort(s), {{s, hp::array(std::vector<double>{127, -128, 0}).astype(hp::int8)}}), hp::int8, {3},
              {-128, 0, 127}) == "");
  const hp::Var b = hp::vector("b", hp::bool_);
  CHECK(exact(run(hp::argsort(b), {{b, hp::array(std::vector<double>{1, 0, 1, 0}).astype(hp::bool_)}}), hp::int64,
              {4}, {1, 3, 0, 2}) == "");
}

TEST_CASE("empty axes and length-1 axes") {
  const hp::Var m = hp::matrix("m");
  CHECK(exact(run(hp::sort(m, 1), {{m, hp::Array::zeros({2, 0}, hp::float64)}}), hp::float64, {2, 0}, {}) == "");
  CHECK(exact(run(hp::argsort(m, 0), {{m, hp::Array::zeros({0, 3}, hp::float64)}}), hp::int64, {0, 3}, {}) == "");
  CHECK(exact(run(hp::argsort(m, 1), {{m, hp::array({{7.}, {-2.}})}}), hp::int64, {2, 1}, {0, 0}) == "");
  CHECK(exact(run(hp::sort(m, 0), {{m, hp::array({{7., -2.}})}}), hp::float64, {1, 2}, {7, -2}) == "");
}

TEST_CASE("transposed and reversed views sort along the view's axes") {
  const hp::Var m = hp::matrix("m");
  const hp::Array v = hp::array({{3., 1., 2.}, {0., 5., -1.}});
  // transpose(m) = [[3, 0], [1, 5], [2, -1]]
  CHECK(exact(run(hp::sort(hp::transpose(m), 1), {{m, v}}), hp::float64, {3, 2}, {0, 3, 1, 5, -1, 2}) == "");
  CHECK(exact(run(hp::argsort(hp::transpose(m), 0), {{m, v}}), hp::int64, {3, 2}, {1, 2, 2, 0, 0, 1}) == "");
  const hp::Var reversed = hp::subtensor(m, {hp::slice(), hp::slice(std::nullopt, std::nullopt, -1)});
  // m[:, ::-1] = [[2, 1, 3], [-1, 5, 0]]
  CHECK(exact(run(hp::argsort(reversed, 1), {{m, v}}), hp::int64, {2, 3}, {1, 0, 2, 0, 2, 1}) == "");
}

TEST_CASE("sort and argsort of tied values with NaN equal std::stable_sort along every axis") {
  const hp::Var t = hp::tensor3("t");
  const hp::Shape shape{4, 5, 70};  // lines of 70: past the short-line path
  const std::vector<double> values = tied_values(4 * 5 * 70, 11, true);
  const hp::Array v = hp::array(values, shape);
  for (int axis = 0; axis < 3; ++axis) {
    INFO("axis ", axis);
    CHECK(exact(run(hp::argsort(t, axis), {{t, v}}), hp::int64, shape, naive_argsort(values, shape, axis)) == "");
    CHECK(exact(run(hp::sort(t, axis), {{t, v}}), hp::float64, shape, naive_sort(values, shape, axis)) == "");
  }
  const hp::Var x = hp::vector("x"), i = hp::vector("i", hp::int32);
  const std::vector<double> long_values = tied_values(50000, 12, true);
  CHECK(exact(run(hp::argsort(x), {{x, hp::array(long_values)}}), hp::int64, {50000},
              naive_argsort(long_values, {50000}, 0)) == "");
  const std::vector<double> ints = tied_values(3000, 13, false);
  CHECK(exact(run(hp::sort(i), {{i, hp::array(ints).astype(hp::int32)}}), hp::int32, {3000},
              naive_sort(ints, {3000}, 0)) == "");
}

TEST_CASE("long lines keep the sign of each zero and each NaN's bits in input order") {
  // Past the short-line path: the radix sort orders keys, where -0.0 and +0.0
  // are one key and every NaN another, so the values must come from the input.
  const hp::Var x = hp::vector("x");
  const double negative_nan = -std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> kinds{0.0, -0.0, 1.5, -2.0, kNaN, negative_nan};
  std::mt19937 rng(16);
  std::vector<double> values(500);
  for (double& v : values) v = kinds[std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(rng)];
  const std::vector<double> got = run(hp::sort(x), {{x, hp::array(values)}}).to_vector<double>();
  const std::vector<double> want = naive_sort(values, {500}, 0);
  REQUIRE(got.size() == want.size());
  int wrong_sign = 0, wrong_value = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    wrong_sign += std::signbit(got[i]) != std::signbit(want[i]);
    wrong_value += !(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])));
  }
  CHECK(wrong_sign == 0);
  CHECK(wrong_value == 0);
}

TEST_CASE("searchsorted finds the left or right insertion point of each value, NaN last") {
  const hp::Var a = hp::vector("a"), v = hp::matrix("v");
  const hp::Array sorted = hp::array(std::vector<double>{-kInf, 1, 2, 2, 3, kNaN});
  const hp::Array values = hp::array({{2., 0., kNaN}, {-kInf, 3.5, 1.}});
  CHECK(exact(run(hp::searchsorted(a, v), {{a, sorted}, {v, values}}), hp::int64, {2, 3}, {2, 1, 5, 0, 5, 1}) == "");
  CHECK(exact(run(hp::searchsorted(a, v, "right"), {{a, sorted}, {v, values}}), hp::int64, {2, 3},
              {4, 1, 6, 1, 5, 2}) == "");
  const hp::Var s = hp::scalar("s");
  CHECK(exact(run(hp::searchsorted(a, s), {{a, sorted}, {s, hp::Array(2.5)}}), hp::int64, {}, {4}) == "");
  CHECK(exact(run(hp::searchsorted(a, s), {{a, hp::Array::zeros({0}, hp::float64)}, {s, hp::Array(2.5)}}), hp::int64,
              {}, {0}) == "");
}

TEST_CASE("searchsorted of integers, and of floats among integers") {
  const hp::Var a = hp::vector("a", hp::int64), v = hp::vector("v", hp::int32), f = hp::vector("f");
  const hp::Array sorted = hp::array(std::vector<std::int64_t>{-5, 0, 0, 7});
  CHECK(exact(run(hp::searchsorted(a, v, "left"),
                  {{a, sorted}, {v, hp::array(std::vector<double>{0, 8, -9}).astype(hp::int32)}}),
              hp::int64, {3}, {1, 4, 0}) == "");
  CHECK(exact(run(hp::searchsorted(a, v, "right"),
                  {{a, sorted}, {v, hp::array(std::vector<double>{0, 7, -5}).astype(hp::int32)}}),
              hp::int64, {3}, {3, 4, 1}) == "");
  CHECK(exact(run(hp::searchsorted(a, f), {{a, sorted}, {f, hp::array(std::vector<double>{-0.5, 6.9, kNaN})}}),
              hp::int64, {3}, {1, 3, 4}) == "");
}

TEST_CASE("searchsorted of random values equals a linear count over the sorted vector") {
  const hp::Var a = hp::vector("a"), v = hp::vector("v");
  std::vector<double> sorted = tied_values(200, 14, true);
  std::stable_sort(sorted.begin(), sorted.end(), before);
  const std::vector<double> values = tied_values(300, 15, true);
  std::vector<double> left, right;
  for (double x : values) {
    // left: how many sort before x; right: how many x does not sort before.
    auto count = [&](auto pred) { return static_cast<double>(std::count_if(sorted.begin(), sorted.end(), pred)); };
    left.push_back(count([&](double s) { return before(s, x); }));
    right.push_back(count([&](double s) { return !before(x, s); }));
  }
  const std::vector<std::pair<hp::Var, hp::Array>> givens{{a, hp::array(sorted)}, {v, hp::array(values)}};
  CHECK(exact(run(hp::searchsorted(a, v, "left"), givens), hp::int64, {300}, left) == "");
  CHECK(exact(run(hp::searchsorted(a, v, "right"), givens), hp::int64, {300}, right) == "");
}

TEST_CASE("the gradient of sort flows back through the permutation") {
  const hp::Var x = hp::vector("x"), w = hp::vector("w");
  // sort([3, 1, 2]) = [1, 2, 3]: x0 went to position 2, x1 to 0, x2 to 1.
  const hp::Var g = hp::grad(hp::sum(hp::sort(x) * w), x);
  CHECK(exact(run(g, {{x, hp::array(std::vector<double>{3, 1, 2})}, {w, hp::array(std::vector<double>{10, 20, 30})}}),
              hp::float64, {3}, {30, 10, 20}) == "");
  const hp::Var m = hp::matrix("m"), wm = hp::matrix("wm");
  const hp::Var gm = hp::grad(hp::sum(hp::sort(m, 0) * wm), m);
  // column 0: [2, 1] swaps; column 1: [0, 5] stays.
  CHECK(exact(run(gm, {{m, hp::array({{2., 0.}, {1., 5.}})}, {wm, hp::array({{1., 2.}, {3., 4.}})}}), hp::float64,
              {2, 2}, {3, 2, 1, 4}) == "");
}

TEST_CASE("argsort and searchsorted have a zero gradient, as Theano") {
  const hp::Var x = hp::vector("x"), a = hp::vector("a");
  const hp::Var cost = hp::sum(hp::cast(hp::argsort(x), hp::float64) * x);
  // Only the direct factor x contributes: d/dx = argsort(x).
  CHECK(exact(run(hp::grad(cost, x), {{x, hp::array(std::vector<double>{3, 1, 2})}}), hp::float64, {3}, {1, 2, 0}) ==
        "");
  const hp::Var found = hp::sum(hp::cast(hp::searchsorted(a, x), hp::float64)) + hp::sum(a) + hp::sum(x);
  const std::vector<hp::Var> grads = hp::grad(found, {a, x});
  // Each gradient is ones from the sums alone (the graphs no longer read the other input).
  CHECK(exact(run(grads[0], {{a, hp::array(std::vector<double>{1, 2})}}), hp::float64, {2}, {1, 1}) == "");
  CHECK(exact(run(grads[1], {{x, hp::array(std::vector<double>{0, 5, 1.5})}}), hp::float64, {3}, {1, 1, 1}) == "");
}

TEST_CASE("sort, argsort and searchsorted print, type and refuse bad arguments") {
  const hp::Var x = hp::vector("x"), m = hp::matrix("m", hp::float32);
  CHECK(hp::pp(hp::sort(x)) == "sort(x, axis=0)");
  CHECK(hp::pp(hp::argsort(m, 0)) == "argsort(m, axis=0)");
  CHECK(hp::pp(hp::searchsorted(x, m, "right")) == "searchsorted(x, m, side='right')");
  CHECK(hp::sort(m).type().str() == "TensorType(float32, matrix)");
  CHECK(hp::argsort(m).type().str() == "TensorType(int64, matrix)");
  CHECK(hp::searchsorted(x, m).type().str() == "TensorType(int64, matrix)");
  CHECK_THROWS_AS(hp::sort(m, 2), hp::TypeError);
  CHECK_THROWS_AS(hp::argsort(m, -3), hp::TypeError);
  CHECK_THROWS_AS(hp::sort(hp::scalar("s")), hp::TypeError);
  CHECK_THROWS_AS(hp::searchsorted(m, x), hp::TypeError);
  CHECK_THROWS_AS(hp::searchsorted(x, x, "middle"), hp::TypeError);
}
