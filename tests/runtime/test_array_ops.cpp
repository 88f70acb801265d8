// Host arithmetic, comparisons and reductions on hp::Array (array_ops.hpp).
// Every expected value and dtype is numpy 2.4's result for the same
// expression, written out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "hypatia/array.hpp"
#include "hypatia/array_ops.hpp"
#include "hypatia/graph.hpp"
#include "hypatia/ops.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

template <class T>
std::vector<T> values(const hp::Array& a) {
  return a.to_vector<T>();
}

}  // namespace

// --- the symbolic API is untouched --------------------------------------------------------

// hp::Var and hp::Array do not convert to each other, so each keeps its own
// overloads: the same spelling builds a graph node for a Var and computes
// at once for an Array.
static_assert(std::is_same_v<decltype(hp::sum(std::declval<hp::Var>())), hp::Var>);
static_assert(std::is_same_v<decltype(hp::sum(std::declval<hp::Var>(), 0)), hp::Var>);
static_assert(std::is_same_v<decltype(hp::max(std::declval<hp::Var>(), 1, true)), hp::Var>);
static_assert(std::is_same_v<decltype(std::declval<hp::Var>() + 1.0), hp::Var>);
static_assert(std::is_same_v<decltype(2 * std::declval<hp::Var>()), hp::Var>);
static_assert(std::is_same_v<decltype(std::declval<hp::Var>() < 1), hp::Var>);
static_assert(std::is_same_v<decltype(hp::sum(std::declval<hp::Array>())), hp::Array>);
static_assert(std::is_same_v<decltype(hp::sum(std::declval<hp::Array>(), 0)), hp::Array>);
static_assert(std::is_same_v<decltype(std::declval<hp::Array>() + 1.0), hp::Array>);
static_assert(std::is_same_v<decltype(2 * std::declval<hp::Array>()), hp::Array>);
static_assert(std::is_same_v<decltype(-std::declval<hp::Array>()), hp::Array>);

TEST_CASE("hp::sum of a Var still builds a graph; of an Array it computes") {
  const hp::Var x = hp::vector("x");
  CHECK(hp::sum(x).ndim() == 0);
  CHECK(hp::sum(hp::array({1.0, 2.0})).item<double>() == 3.0);
}

// --- broadcasting and dtypes -------------------------------------------------------------------

TEST_CASE("+ broadcasts (3, 1) with (4,) to (3, 4)") {
  const hp::Array a = hp::array({{0.}, {10.}, {20.}});
  const hp::Array b = hp::array({1., 2., 3., 4.});
  const hp::Array c = a + b;
  CHECK(c.shape() == hp::Shape{3, 4});
  CHECK(values<double>(c) == std::vector<double>{1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24});
}

TEST_CASE("shapes that do not broadcast are a ShapeError naming both") {
  const std::string msg = message_of<hp::ShapeError>([] {
    return hp::Array::zeros({2, 3}) * hp::Array::zeros({4});
  });
  CHECK(msg == "hp::Array operator*: shapes (2, 3) and (4,) do not broadcast");
}

TEST_CASE("result dtypes follow numpy's promotion") {
  const hp::Array i8 = hp::array({1, 2}, hp::int8);
  const hp::Array u8 = hp::array({1, 2}, hp::uint8);
  const hp::Array i32 = hp::array({1, 2}, hp::int32);
  const hp::Array f32 = hp::array({1, 2}, hp::float32);
  CHECK((i8 + f32).dtype() == hp::float32);
  CHECK((i32 * f32).dtype() == hp::float64);
  CHECK((u8 - i8).dtype() == hp::int16);
  CHECK((i8 + i32).dtype() == hp::int32);
  CHECK((i8 == f32).dtype() == hp::bool_);
}

TEST_CASE("bool + bool is or and bool * bool is and, as in numpy") {
  const hp::Array p = hp::array({true, true, false, false});
  const hp::Array q = hp::array({true, false, true, false});
  CHECK((p + q).dtype() == hp::bool_);
  CHECK(values<bool>(p + q) == std::vector<bool>{true, true, true, false});
  CHECK(values<bool>(p * q) == std::vector<bool>{true, false, false, false});
}

TEST_CASE("bool - bool and -bool are TypeErrors, as in numpy") {
  const hp::Array p = hp::array({true});
  CHECK(contains(message_of<hp::TypeError>([&] { return p - p; }), "bool - bool is not supported"));
  CHECK(contains(message_of<hp::TypeError>([&] { return -p; }), "negating a bool array"));
}

TEST_CASE("/ divides integers in float64 with inf and nan for zero divisors") {
  const hp::Array a = hp::array({1, 0, -1, 3}, hp::int8);
  const hp::Array b = hp::array({0, 0, 0, 2}, hp::int8);
  const hp::Array q = a / b;
  CHECK(q.dtype() == hp::float64);
  CHECK(q.item<double>(0) == kInf);
  CHECK(std::isnan(q.item<double>(1)));
  CHECK(q.item<double>(2) == -kInf);
  CHECK(q.item<double>(3) == 1.5);
  CHECK((hp::array({true}) / hp::array({true})).dtype() == hp::float64);
  CHECK((hp::array({3.f}) / hp::array({2.f})).dtype() == hp::float32);
}

TEST_CASE("integer arithmetic wraps around as numpy's") {
  CHECK(values<int>(hp::array({127, -128}, hp::int8) + hp::array({1, -1}, hp::int8)) ==
        std::vector<int>{-128, 127});
  CHECK(values<int>(hp::array({100, -100}, hp::int8) * 2) == std::vector<int>{-56, 56});
  CHECK(values<int>(hp::array({0}, hp::uint8) - 1) == std::vector<int>{255});
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  CHECK((hp::array({big}) + 1).item<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("float32 arithmetic rounds to float32 at each operation") {
  // In float64 16777216 + 1 is 16777217; float32 has no such number.
  const hp::Array a = hp::array({16777216.f});
  CHECK((a + hp::array({1.f})).item<float>() == 16777216.f);
  CHECK((a + 1).item<float>() == 16777216.f);
}

TEST_CASE("operands may be transposed or sliced views") {
  const hp::Array m = hp::array({{1, 2, 3}, {4, 5, 6}});
  CHECK(values<int>(m.transpose() * 10) == std::vector<int>{10, 40, 20, 50, 30, 60});
  CHECK(values<int>(m.slice(1, 2, -4, -1) - m.slice(1, 0, 3)) ==
        std::vector<int>{2, 0, -2, 2, 0, -2});
}

// --- C++ numbers, weakly typed
// --------------------------------------------------------------------

TEST_CASE("a C++ integer keeps an integer array's dtype") {
  const hp::Array i8 = hp::array({1, 2}, hp::int8);
  CHECK((i8 * 2).dtype() == hp::int8);
  CHECK((2 * i8).dtype() == hp::int8);
  CHECK((i8 + std::int64_t{5}).dtype() == hp::int8);
  CHECK(values<int>(10 - hp::array({1, 2}, hp::int16)) == std::vector<int>{9, 8});
}

TEST_CASE("a C++ integer that does not fit the array's dtype is an InvalidValueError") {
  const std::string msg =
      message_of<hp::InvalidValueError>([] { return hp::array({1}, hp::int8) + 300; });
  CHECK(msg ==
        "hp::Array operator+: the C++ number 300 is out of bounds for int8 (numpy 2 raises "
        "OverflowError)");
  CHECK(contains(message_of<hp::InvalidValueError>([] { return hp::array({1}, hp::uint8) + (-1); }),
                 "-1 is out of bounds for uint8"));
}

TEST_CASE("a C++ float makes an integer array float64 and keeps float32") {
  CHECK((hp::array({1, 2}) * 0.5).dtype() == hp::float64);
  CHECK(values<double>(hp::array({1, 2}) * 0.5) == std::vector<double>{0.5, 1.0});
  const hp::Array f = hp::array({1.5f, 2.5f}) * 3.0;
  CHECK(f.dtype() == hp::float32);
  CHECK(values<float>(f) == std::vector<float>{4.5f, 7.5f});
  // 0.2 is rounded to float32 first: float32(0.1) + float32(0.2) == float32(0.3).
  CHECK((hp::array({0.1f}) + 0.2).item<float>() == 0.3f);
}

TEST_CASE("a C++ bool is the weakest number of all") {
  CHECK((hp::array({true}) + true).dtype() == hp::bool_);
  CHECK((hp::array({1, 2}, hp::int8) + true).dtype() == hp::int8);
  const hp::Array b = hp::array({true, false}) + 1;
  CHECK(b.dtype() == hp::int64);
  CHECK(values<int>(b) == std::vector<int>{2, 1});
  CHECK((hp::array({true}) * 1.5).dtype() == hp::float64);
}

TEST_CASE("a C++ integer divides an integer array in float64 whatever its size") {
  const hp::Array q = hp::array({1, 2}, hp::int8) / 1000;
  CHECK(q.dtype() == hp::float64);
  CHECK(values<double>(q) == std::vector<double>{0.001, 0.002});
  CHECK(values<double>(1 / hp::array({2, 0})) == std::vector<double>{0.5, kInf});
}

// --- comparisons
// ----------------------------------------------------------------------------------

TEST_CASE("comparisons give bool arrays") {
  const hp::Array a = hp::array({1, 2, 3});
  const hp::Array b = hp::array({3, 2, 1});
  CHECK(values<bool>(a == b) == std::vector<bool>{false, true, false});
  CHECK(values<bool>(a != b) == std::vector<bool>{true, false, true});
  CHECK(values<bool>(a < b) == std::vector<bool>{true, false, false});
  CHECK(values<bool>(a <= b) == std::vector<bool>{true, true, false});
  CHECK(values<bool>(a > b) == std::vector<bool>{false, false, true});
  CHECK(values<bool>(a >= b) == std::vector<bool>{false, true, true});
  CHECK(values<bool>(2 < a) == std::vector<bool>{false, false, true});
}

TEST_CASE("NaN compares unequal to everything, itself included") {
  const hp::Array n = hp::array({kNaN, 1.0});
  CHECK(values<bool>(n == n) == std::vector<bool>{false, true});
  CHECK(values<bool>(n != n) == std::vector<bool>{true, false});
  CHECK(values<bool>(n < 2.0) == std::vector<bool>{false, true});
}

TEST_CASE("comparisons with a C++ integer beyond the dtype compare exact values") {
  CHECK(values<bool>(hp::array({1, 2, -128}, hp::int8) < 1000) ==
        std::vector<bool>{true, true, true});
  CHECK(values<bool>(hp::array({5}, hp::uint8) < -1) == std::vector<bool>{false});
  CHECK(values<bool>(hp::array({1, 2}, hp::int8) == 300) == std::vector<bool>{false, false});
}

TEST_CASE("comparisons with float32 arrays compare in float32") {
  // 16777217 rounds to the float32 16777216.
  CHECK((hp::array({16777216.f}) == 16777217).item<bool>());
  CHECK((hp::array({0.1f}) == 0.1).item<bool>());
}

TEST_CASE("comparisons of int64 and float64 compare in float64, as numpy's") {
  const std::int64_t odd = (std::int64_t{1} << 53) + 1;
  CHECK((hp::array({odd}) == hp::array({9007199254740992.0})).item<bool>());
}

// --- unary minus
// ----------------------------------------------------------------------------------

TEST_CASE("unary minus keeps the dtype, wraps integers and signs zeros") {
  CHECK(values<int>(-hp::array({-128, 5}, hp::int8)) == std::vector<int>{-128, -5});
  CHECK(values<int>(-hp::array({0, 1}, hp::uint8)) == std::vector<int>{0, 255});
  const hp::Array z = -hp::array({0.0, 1.5});
  CHECK(std::signbit(z.item<double>(0)));
  CHECK(z.item<double>(1) == -1.5);
  CHECK((-hp::array({2.f})).dtype() == hp::float32);
}

// --- sum and mean
// ---------------------------------------------------------------------------------

TEST_CASE("sum without an axis reduces everything to a 0-d array") {
  const hp::Array s = hp::sum(hp::array({{1., 2., 3.}, {4., 5., 6.}}));
  CHECK(s.shape() == hp::Shape{});
  CHECK(s.item<double>() == 21.0);
}

TEST_CASE("sum along an axis, negative axes and keepdims") {
  const hp::Array m = hp::array({{1, 2, 3}, {4, 5, 6}}, hp::int8);
  CHECK(values<int>(hp::sum(m, 0)) == std::vector<int>{5, 7, 9});
  CHECK(values<int>(hp::sum(m, -1)) == std::vector<int>{6, 15});
  CHECK(hp::sum(m, 1, true).shape() == hp::Shape{2, 1});
  const hp::Array t = hp::Array::ones({2, 3, 4});
  CHECK(hp::sum(t, 1).shape() == hp::Shape{2, 4});
  CHECK(values<double>(hp::sum(t, 1)) == std::vector<double>(8, 3.0));
}

TEST_CASE("sum of bools and integers is int64 and does not overflow the input dtype") {
  const hp::Array s = hp::sum(hp::array({100, 100}, hp::int8));
  CHECK(s.dtype() == hp::int64);
  CHECK(s.item<std::int64_t>() == 200);
  CHECK(hp::sum(hp::array({true, true, false})).item<std::int64_t>() == 2);
  CHECK(hp::sum(hp::array({200, 100}, hp::uint8)).dtype() == hp::int64);  // numpy: uint64
}

TEST_CASE("float32 sums stay float32 and add pairwise as numpy's do") {
  // 1e8 followed by sixteen ones: numpy's eight partial sums give 100000008;
  // adding one at a time in float32 would stay at 1e8.
  std::vector<float> v(17, 1.f);
  v[0] = 1e8f;
  const hp::Array s = hp::sum(hp::array(v));
  CHECK(s.dtype() == hp::float32);
  CHECK(s.item<float>() == 100000008.f);
  // Along axis 0 numpy adds row after row: 1e8 + 1 stays 1e8.
  const hp::Array m = hp::array({{1e8f, 1.f, 1.f}, {1.f, 1.f, 1.f}});
  CHECK(values<float>(hp::sum(m, 0)) == std::vector<float>{1e8f, 2.f, 2.f});
  CHECK(values<float>(hp::sum(m, 1)) == std::vector<float>{1e8f, 3.f});
}

TEST_CASE("sum of an empty array is 0") {
  CHECK(hp::sum(hp::Array::zeros({0})).item<double>() == 0.0);
  CHECK(hp::sum(hp::Array::zeros({2, 0}), 1).shape() == hp::Shape{2});
}

TEST_CASE("mean of integers is float64, of float32 float32") {
  const hp::Array m = hp::mean(hp::array({1, 2, 4}, hp::int8));
  CHECK(m.dtype() == hp::float64);
  CHECK(m.item<double>() == 2.3333333333333335);
  const hp::Array f = hp::mean(hp::array({1.f, 2.f, 2.f}));
  CHECK(f.dtype() == hp::float32);
  CHECK(f.item<float>() == 1.6666666f);
  CHECK(values<double>(hp::mean(hp::array({{1., 2.}, {3., 5.}}), 1)) ==
        std::vector<double>{1.5, 4.0});
}

TEST_CASE("mean of nothing is NaN, as numpy's (which also warns)") {
  CHECK(std::isnan(hp::mean(hp::Array::zeros({0})).item<double>()));
}

// --- max, min, argmax
// -------------------------------------------------------------------------------

TEST_CASE("max and min keep the dtype, with and without an axis") {
  const hp::Array m = hp::array({{3, -1, 2}, {0, 7, -5}}, hp::int16);
  CHECK(hp::max(m).dtype() == hp::int16);
  CHECK(hp::max(m).item<int>() == 7);
  CHECK(hp::min(m).item<int>() == -5);
  CHECK(values<int>(hp::max(m, 0)) == std::vector<int>{3, 7, 2});
  CHECK(values<int>(hp::min(m, 1)) == std::vector<int>{-1, -5});
  CHECK(hp::max(hp::array({true, false})).item<bool>());
}

TEST_CASE("max and min propagate NaN") {
  CHECK(std::isnan(hp::max(hp::array({1.0, kNaN, 3.0})).item<double>()));
  CHECK(std::isnan(hp::min(hp::array({kNaN, 1.0})).item<double>()));
}

TEST_CASE("argmax gives the first maximum, flattened or along an axis") {
  const hp::Array m = hp::array({{1, 5, 5}, {7, 0, 7}});
  const hp::Array flat = hp::argmax(m);
  CHECK(flat.dtype() == hp::int64);
  CHECK(flat.item<std::int64_t>() == 3);
  CHECK(values<std::int64_t>(hp::argmax(m, 1)) == std::vector<std::int64_t>{1, 0});
  CHECK(values<std::int64_t>(hp::argmax(m, 0)) == std::vector<std::int64_t>{1, 0, 1});
  CHECK(hp::argmax(m, 0, true).shape() == hp::Shape{1, 3});
}

TEST_CASE("argmax points at the first NaN") {
  CHECK(hp::argmax(hp::array({1.0, kNaN, 3.0, kNaN})).item<std::int64_t>() == 1);
}

TEST_CASE("max, min and argmax of nothing are ShapeErrors naming the shape") {
  CHECK(message_of<hp::ShapeError>([] { return hp::max(hp::Array::zeros({0})); }) ==
        "hp::max: cannot reduce an empty axis of the array of shape (0,) (there is no identity "
        "to return)");
  CHECK(contains(message_of<hp::ShapeError>([] {
                   return hp::argmax(hp::Array::zeros({3, 0}), 1);
                 }),
                 "hp::argmax: cannot reduce an empty axis of the array of shape (3, 0)"));
  // Nothing to reduce into is fine: numpy gives an empty result too.
  CHECK(hp::min(hp::Array::zeros({0, 3}), 1).shape() == hp::Shape{0});
}

TEST_CASE("an axis out of range is a ShapeError naming the axis and shape") {
  CHECK(message_of<hp::ShapeError>([] {
          return hp::sum(hp::Array::zeros({2, 3}), 2);
        }) == "hp::sum: axis 2 is out of range for an array of shape (2, 3)");
}

// --- allclose and array_equal
// ----------------------------------------------------------------------

TEST_CASE("allclose with equal_nan takes NaN as close to NaN") {
  const hp::Array a = hp::array({1.0, kNaN});
  CHECK_FALSE(hp::allclose(a, a));
  CHECK_FALSE(hp::allclose(a, a, 1e-5, 1e-8, false));
  CHECK(hp::allclose(a, a, 1e-5, 1e-8, true));
  CHECK_FALSE(hp::allclose(a, hp::array({1.0, 2.0}), 1e-5, 1e-8, true));
  CHECK(hp::allclose(hp::array({kInf, 1.0}), hp::array({kInf, 1.0 + 1e-9}), 1e-5, 1e-8, false));
}

TEST_CASE("array_equal needs the same shape and equal values in any dtype") {
  CHECK(hp::array_equal(hp::array({1, 2}), hp::array({1.0, 2.0})));
  CHECK_FALSE(hp::array_equal(hp::array({1, 2}), hp::array({1, 3})));
  CHECK_FALSE(hp::array_equal(hp::array({1, 2}), hp::array({{1, 2}})));  // no broadcasting
  CHECK_FALSE(hp::array_equal(hp::array({kNaN}), hp::array({kNaN})));
  CHECK(hp::array_equal(hp::array({kNaN, 1.0}), hp::array({kNaN, 1.0}), true));
  CHECK(hp::array_equal(hp::Array::zeros({0, 2}), hp::Array::zeros({0, 2})));
}
