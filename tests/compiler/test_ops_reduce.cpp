// argmin, max_and_argmax, all, any, var, std, logsumexp and norm: values
// against naive loops written in this file (long double where it matters)
// and special values written by hand (checked against numpy/scipy).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <hypatia/hypatia.hpp>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/support/nonfinite.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using hypatia_test::eval_nonfinite;

hp::Array random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed, double lo = -3, double hi = 3) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<std::size_t>(rows * cols));
  for (double& x : v) x = dist(rng);
  return hp::array(v, {rows, cols});
}

/// The values of column `c` (axis 0) or row `r` (axis 1) of a matrix.
std::vector<double> line_of(const hp::Array& m, int axis, std::int64_t k) {
  std::vector<double> out;
  const std::int64_t n = m.shape()[axis];
  for (std::int64_t j = 0; j < n; ++j) {
    out.push_back(axis == 0 ? m.get_flat_double(j * m.shape()[1] + k) : m.get_flat_double(k * m.shape()[1] + j));
  }
  return out;
}

bool near(double got, long double expected, double rtol) {
  if (std::isnan(got) || std::isnan(static_cast<double>(expected))) {
    return std::isnan(got) && std::isnan(static_cast<double>(expected));
  }
  if (std::isinf(got) || std::isinf(static_cast<double>(expected))) return got == static_cast<double>(expected);
  return std::fabs(static_cast<long double>(got) - expected) <= rtol * (std::fabs(expected) + 1e-300L);
}

}  // namespace

TEST_CASE("argmin gives the first minimum, or the first NaN, as numpy") {
  const hp::Var x = hp::vector("x");
  CHECK(hp::argmin(x).eval({{x, hp::array({3.0, 1.0, 2.0, 1.0})}}).get_flat_int(0) == 1);
  CHECK(eval_nonfinite(hp::argmin(x), {{x, hp::array({3.0, kNaN, -kInf, kNaN})}}).get_flat_int(0) == 1);
  CHECK(eval_nonfinite(hp::argmin(x), {{x, hp::array({3.0, -kInf, -kInf})}}).get_flat_int(0) == 1);
  CHECK(hp::argmin(x).eval({{x, hp::array({0.0, -0.0})}}).get_flat_int(0) == 0);  // -0.0 == 0.0
  const hp::Var i = hp::vector("i", hp::int8);
  CHECK(hp::argmin(i).eval({{i, hp::array({5, -128, 127, -128}, hp::int8)}}).get_flat_int(0) == 1);
  const hp::Var u = hp::vector("u", hp::uint8);
  CHECK(hp::argmin(u).eval({{u, hp::array({200, 7, 255}, hp::uint8)}}).get_flat_int(0) == 1);
  const hp::Var b = hp::vector("b", hp::bool_);
  CHECK(hp::argmin(b).eval({{b, hp::array({true, true, false})}}).get_flat_int(0) == 2);
}

TEST_CASE("argmin along each axis of a matrix, with keepdims, and of a transposed view") {
  const hp::Array v = random_matrix(5, 7, 1);
  const hp::Var m = hp::matrix("m");
  for (int axis : {0, 1, -1}) {
    CAPTURE(axis);
    const int a = axis < 0 ? axis + 2 : axis;
    hp::Function f = hp::compile({m}, {hp::argmin(m, axis), hp::argmin(m, axis, true), hp::argmin(m.T(), 1 - a)});
    const std::vector<hp::Array> out = f(v);
    CHECK(out[0].dtype() == hp::int64);
    CHECK(out[1].shape() == (a == 0 ? hp::Shape{1, 7} : hp::Shape{5, 1}));
    const std::int64_t lines = v.shape()[1 - a];
    REQUIRE(out[0].size() == lines);
    for (std::int64_t k = 0; k < lines; ++k) {
      const std::vector<double> line = line_of(v, a, k);
      std::int64_t best = 0;
      for (std::size_t j = 1; j < line.size(); ++j) {
        if (line[j] < line[static_cast<std::size_t>(best)]) best = static_cast<std::int64_t>(j);
      }
      CHECK(out[0].get_flat_int(k) == best);
      CHECK(out[1].get_flat_int(k) == best);
      CHECK(out[2].get_flat_int(k) == best);
    }
  }
  // All axes: an index into the flattened matrix.
  const hp::Array all = hp::argmin(m).eval({{m, v}});
  double smallest = kInf;
  std::int64_t at = -1;
  for (std::int64_t i = 0; i < v.size(); ++i) {
    if (v.get_flat_double(i) < smallest) {
      smallest = v.get_flat_double(i);
      at = i;
    }
  }
  CHECK(all.get_flat_int(0) == at);
}

TEST_CASE("argmin of an empty axis is an error naming the shape; an axis out of range is refused") {
  const hp::Var m = hp::matrix("m");
  CHECK_THROWS_WITH_AS(hp::argmin(m, 0).eval({{m, hp::Array::zeros({0, 3})}}), doctest::Contains("(0, 3)"),
                       hp::InvalidValueError);
  CHECK_THROWS_WITH_AS(hp::argmin(m, 2), doctest::Contains("axis 2"), hp::TypeError);
}

TEST_CASE("max_and_argmax gives both, as Theano's") {
  const hp::Var m = hp::matrix("m");
  auto [best, where] = hp::max_and_argmax(m, 1);
  hp::Function f = hp::compile({m}, {best, where});
  const std::vector<hp::Array> out = f(hp::array({{1.0, 5.0, 2.0}, {7.0, -1.0, 7.0}}));
  CHECK(out[0].to_vector<double>() == std::vector<double>{5.0, 7.0});
  CHECK(out[1].to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0});
  auto [top, flat] = hp::max_and_argmax(m);
  CHECK(top.eval({{m, hp::array({{1.0, 9.0}, {3.0, 4.0}})}}).get_flat_double(0) == 9.0);
  CHECK(flat.eval({{m, hp::array({{1.0, 9.0}, {3.0, 4.0}})}}).get_flat_int(0) == 1);
}

TEST_CASE("all and any: NaN is true, empty axes give all = true and any = false, as numpy") {
  const hp::Var x = hp::vector("x");
  auto both = [&](const hp::Array& v) {
    hp::Function f = hp::compile({x}, {hp::all(x), hp::any(x)});
    const std::vector<hp::Array> out = f(v);
    CHECK(out[0].dtype() == hp::bool_);
    CHECK(out[1].dtype() == hp::bool_);
    return std::pair<bool, bool>{out[0].get_flat_int(0) != 0, out[1].get_flat_int(0) != 0};
  };
  CHECK(both(hp::array({1.0, 2.0, -3.0})) == std::pair<bool, bool>{true, true});
  CHECK(both(hp::array({1.0, 0.0, -3.0})) == std::pair<bool, bool>{false, true});
  CHECK(both(hp::array({-0.0, 0.0})) == std::pair<bool, bool>{false, false});
  CHECK(both(hp::array({kNaN})) == std::pair<bool, bool>{true, true});
  CHECK(both(hp::Array::zeros({0})) == std::pair<bool, bool>{true, false});
  const hp::Var b = hp::matrix("b", hp::bool_);
  hp::Function g = hp::compile({b}, {hp::all(b, 0), hp::any(b, 1, true), hp::all(b, {0, 1})});
  const std::vector<hp::Array> out = g(hp::array({{true, false, true}, {true, false, false}}));
  CHECK(out[0].to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 0});
  CHECK(out[1].shape() == hp::Shape{2, 1});
  CHECK(out[1].to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 1});
  CHECK(out[2].get_flat_int(0) == 0);
  const hp::Var i = hp::vector("i", hp::int32);
  CHECK(hp::all(i).eval({{i, hp::array({3, -1, 2}, hp::int32)}}).get_flat_int(0) == 1);
  CHECK(hp::any(i).eval({{i, hp::array({0, 0}, hp::int32)}}).get_flat_int(0) == 0);
}

TEST_CASE("var and std against a two-pass loop in long double, with ddof, over each axis") {
  const hp::Array v = random_matrix(6, 9, 2, -5, 20);
  const hp::Var m = hp::matrix("m");
  for (int axis : {0, 1}) {
    for (int ddof : {0, 1, 2}) {
      CAPTURE(axis);
      CAPTURE(ddof);
      hp::Function f = hp::compile({m}, {hp::var(m, axis, false, ddof), hp::std(m, axis, true, ddof)});
      const std::vector<hp::Array> out = f(v);
      const std::int64_t lines = v.shape()[1 - axis];
      for (std::int64_t k = 0; k < lines; ++k) {
        const std::vector<double> line = line_of(v, axis, k);
        long double mean = 0, ss = 0;
        for (double x : line) mean += x;
        mean /= static_cast<long double>(line.size());
        for (double x : line) ss += (x - mean) * (x - mean);
        const long double var = ss / static_cast<long double>(static_cast<std::int64_t>(line.size()) - ddof);
        CHECK(near(out[0].get_flat_double(k), var, 1e-13));
        CHECK(near(out[1].get_flat_double(k), std::sqrt(var), 1e-13));
      }
    }
  }
  // Integers compute in float64; float32 stays float32.
  const hp::Var i = hp::vector("i", hp::int32);
  const hp::Array vi = hp::var(i).eval({{i, hp::array({1, 2, 3, 4}, hp::int32)}});
  CHECK(vi.dtype() == hp::float64);
  CHECK(vi.get_flat_double(0) == 1.25);
  const hp::Var f32 = hp::vector("f32", hp::float32);
  const hp::Array s32 = hp::std(f32, 0, false, 1).eval({{f32, hp::array({2.0f, 4.0f, 4.0f, 4.0f, 5.0f, 5.0f, 7.0f, 9.0f})}});
  CHECK(s32.dtype() == hp::float32);
  CHECK(s32.get_flat_double(0) == doctest::Approx(2.138089935299395).epsilon(1e-6));
  CHECK(hp::var(hp::matrix("q"), {0, 1}).ndim() == 0);
  CHECK_THROWS_AS(hp::var(hp::matrix("q"), 0, false, -1), hp::TypeError);
}

TEST_CASE("logsumexp stays finite for large values and handles infinities and empty axes as scipy") {
  const hp::Var x = hp::vector("x");
  CHECK(hp::logsumexp(x).eval({{x, hp::array({1000.0, 1000.0})}}).get_flat_double(0) ==
        doctest::Approx(1000.0 + std::log(2.0)).epsilon(1e-15));
  CHECK(hp::logsumexp(x).eval({{x, hp::array({-1000.0, -1000.0, -1000.0})}}).get_flat_double(0) ==
        doctest::Approx(-1000.0 + std::log(3.0)).epsilon(1e-15));
  CHECK(eval_nonfinite(hp::logsumexp(x), {{x, hp::array({-kInf, -kInf})}}).get_flat_double(0) == -kInf);
  CHECK(eval_nonfinite(hp::logsumexp(x), {{x, hp::array({1.0, kInf})}}).get_flat_double(0) == kInf);
  CHECK(std::isnan(eval_nonfinite(hp::logsumexp(x), {{x, hp::array({1.0, kNaN})}}).get_flat_double(0)));
  CHECK(eval_nonfinite(hp::logsumexp(x), {{x, hp::Array::zeros({0})}}).get_flat_double(0) == -kInf);
  const hp::Array v = random_matrix(4, 5, 3, -30, 30);
  const hp::Var m = hp::matrix("m");
  hp::Function f = hp::compile({m}, {hp::logsumexp(m, 1), hp::logsumexp(m, 0, true)});
  const std::vector<hp::Array> out = f(v);
  CHECK(out[1].shape() == hp::Shape{1, 5});
  for (int axis : {1, 0}) {
    const hp::Array& got = out[axis == 1 ? 0 : 1];
    for (std::int64_t k = 0; k < got.size(); ++k) {
      long double s = 0;
      for (double e : line_of(v, axis, k)) s += std::exp(static_cast<long double>(e));
      CHECK(near(got.get_flat_double(k), std::log(s), 1e-14));
    }
  }
  const hp::Var i = hp::vector("i", hp::int64);
  CHECK(hp::logsumexp(i).dtype() == hp::float64);
}

TEST_CASE("norm: ord 1, 2, inf, -inf, 0 and 3 over axes, as numpy.linalg.vector_norm") {
  const hp::Var x = hp::vector("x");
  const hp::Array v = hp::array({3.0, -4.0, 0.0, 1.0});
  auto at = [&](double ord) { return hp::norm(x, ord).eval({{x, v}}).get_flat_double(0); };
  CHECK(at(1) == 8.0);
  CHECK(at(2) == doctest::Approx(std::sqrt(26.0)).epsilon(1e-15));
  CHECK(at(kInf) == 4.0);
  CHECK(at(-kInf) == 0.0);
  CHECK(at(0) == 3.0);
  CHECK(at(3) == doctest::Approx(std::cbrt(27.0 + 64.0 + 1.0)).epsilon(1e-14));
  const hp::Var m = hp::matrix("m");
  const hp::Array w = random_matrix(3, 4, 4);
  const hp::Array rows = hp::norm(m, 2, 1, true).eval({{m, w}});
  CHECK(rows.shape() == hp::Shape{3, 1});
  for (std::int64_t k = 0; k < 3; ++k) {
    long double ss = 0;
    for (double e : line_of(w, 1, k)) ss += static_cast<long double>(e) * e;
    CHECK(near(rows.get_flat_double(k), std::sqrt(ss), 1e-15));
  }
  const hp::Var i = hp::vector("i", hp::int8);
  const hp::Array ni = hp::norm(i, 1).eval({{i, hp::array({-128, 127}, hp::int8)}});
  CHECK(ni.dtype() == hp::float32);  // int8 computes in float32, as upgrade_to_float
  CHECK(ni.get_flat_double(0) == 255.0);
  CHECK_THROWS_AS(hp::norm(m, kNaN), hp::TypeError);
}

TEST_CASE("composite reductions check their axes like sum") {
  const hp::Var m = hp::matrix("m");
  CHECK_THROWS_WITH_AS(hp::var(m, 2), doctest::Contains("axis 2"), hp::TypeError);
  CHECK_THROWS_WITH_AS(hp::all(m, {0, 0}), doctest::Contains("repeats"), hp::TypeError);
  CHECK_THROWS_WITH_AS(hp::logsumexp(m, -3), doctest::Contains("axis -3"), hp::TypeError);
}
