// Indexing as Theano and numpy write it (issue 17): operator[] with
// integers, slices, newaxis, integer tensors (advanced indexing) and boolean
// masks; set/inc of advanced subtensors (inc accumulating repeated indices
// as np.add.at); hp::arange; hp::IndexError for indices out of range, in
// every mode, leaving shared variables unchanged; verify_grad of each.
// Expected values are numpy's, written out by hand.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

const hp::Mode kModes[] = {hp::Mode::FastRun, hp::Mode::FastCompile, hp::Mode::Debug};

/// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
hp::Array x34() {
  std::vector<double> v;
  for (int i = 0; i < 12; ++i) v.push_back(i);
  return hp::array(v, {3, 4});
}

/// out's values and shape in every mode, given the inputs' values.
void check(const std::vector<hp::Var>& inputs, const hp::Var& out, const std::vector<hp::Array>& args,
           const hp::Shape& shape, const std::vector<double>& values) {
  for (hp::Mode mode : kModes) {
    INFO("mode ", static_cast<int>(mode), ": ", hp::pp(out));
    const hp::Function f = hp::compile(inputs, {out}, {.mode = mode});
    const hp::Array got = f.call(args).at(0);
    CHECK(got.shape() == shape);
    CHECK(got.to_vector<double>() == values);
  }
}

hp::Array ints(const std::vector<std::int64_t>& v) { return hp::array(v, hp::DType::Int64); }

}  // namespace

TEST_CASE("integer-array indexing follows numpy") {
  const hp::Var x = hp::matrix("x");
  const hp::Var idx = hp::lvector("idx"), rows = hp::lvector("rows"), cols = hp::lvector("cols");
  SUBCASE("x[idx] with negative and repeated rows") {
    check({x, idx}, x[idx], {x34(), ints({2, 0, -1, 2})}, {4, 4},
          {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 8, 9, 10, 11});
  }
  SUBCASE("x[{rows, cols}] picks elements") {
    check({x, rows, cols}, x[{rows, cols}], {x34(), ints({0, 2, 1}), ints({3, -4, 1})}, {3}, {3, 8, 5});
  }
  SUBCASE("x[{:, cols}] keeps the sliced axis in place") {
    check({x, cols}, x[{hp::slice(), cols}], {x34(), ints({1, 3})}, {3, 2}, {1, 3, 5, 7, 9, 11});
  }
  SUBCASE("x[{1:, cols}] with a slice that starts later") {
    check({x, cols}, x[{hp::slice(1), cols}], {x34(), ints({0, -1})}, {2, 2}, {4, 7, 8, 11});
  }
  SUBCASE("a matrix of indices gives its shape") {
    const hp::Var m = hp::lmatrix("m");
    check({x, m}, x[m], {x34(), hp::array(std::vector<std::int64_t>{0, 1, 2, 2}, {2, 2})}, {2, 2, 4},
          {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11});
  }
  SUBCASE("an integer among index arrays counts as one of them") {
    check({x, cols}, x[{0, cols}], {x34(), ints({1, 2})}, {2}, {1, 2});
  }
  SUBCASE("newaxis after an index array") {
    check({x, idx}, x[{idx, hp::newaxis}], {x34(), ints({0, 2})}, {2, 1, 4}, {0, 1, 2, 3, 8, 9, 10, 11});
  }
  SUBCASE("index arrays apart put their shape first") {
    const hp::Var y = hp::tensor3("y"), i = hp::lvector("i"), j = hp::lvector("j");
    std::vector<double> v;
    for (int k = 0; k < 24; ++k) v.push_back(k);
    check({y, i, j}, y[{i, hp::slice(), j}], {hp::array(v, {2, 3, 4}), ints({0, 1}), ints({1, 2})}, {2, 3},
          {1, 5, 9, 14, 18, 22});
  }
  SUBCASE("index arrays broadcast together") {
    const hp::Var r = hp::lcol("r");
    check({x, r, cols}, x[{r, cols}], {x34(), hp::array(std::vector<std::int64_t>{0, 2}, {2, 1}), ints({1, 3})}, {2, 2},
          {1, 3, 9, 11});
  }
  SUBCASE("int32 and uint8 indices") {
    const hp::Var i32 = hp::ivector("i32"), u8 = hp::vector("u8", hp::DType::UInt8);
    check({x, i32, u8}, x[{i32, u8}], {x34(), hp::array({2, 1}, hp::DType::Int32), hp::array({3, 0}, hp::DType::UInt8)},
          {2}, {11, 4});
  }
  SUBCASE("a symbolic scalar index drops the axis") {
    const hp::Var i = hp::lscalar("i");
    check({x, i}, x[i], {x34(), hp::Array(std::int64_t{-2})}, {4}, {4, 5, 6, 7});
  }
}

TEST_CASE("basic indexing through operator[] is a view, as hp::subtensor") {
  const hp::Var x = hp::matrix("x");
  check({x}, x[0], {x34()}, {4}, {0, 1, 2, 3});
  check({x}, x[-1], {x34()}, {4}, {8, 9, 10, 11});
  check({x}, x[hp::slice(1, 3)], {x34()}, {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11});
  check({x}, x[{hp::slice(), 0}], {x34()}, {3}, {0, 4, 8});
  check({x}, x[{hp::slice(std::nullopt, std::nullopt, -2), 1}], {x34()}, {2}, {9, 1});
  check({x}, x[{hp::newaxis, 1}], {x34()}, {1, 4}, {4, 5, 6, 7});
  CHECK(x[{hp::newaxis, 1}].broadcastable() == std::vector<bool>{true, false});
}

TEST_CASE("boolean masks select as numpy") {
  const hp::Var x = hp::matrix("x");
  check({x}, x[x > 5.0], {x34()}, {6}, {6, 7, 8, 9, 10, 11});
  const hp::Var m = hp::vector("m", hp::DType::Bool);
  check({x, m}, x[m], {x34(), hp::array({true, false, true})}, {2, 4}, {0, 1, 2, 3, 8, 9, 10, 11});
  check({x, m}, x[m], {x34(), hp::array({false, false, false})}, {0, 4}, {});
  // A mask of the wrong length is an IndexError naming both shapes.
  for (hp::Mode mode : kModes) {
    const hp::Function f = hp::compile({x, m}, {x[m]}, {.mode = mode});
    const std::string msg = message_of<hp::IndexError>([&] { f(x34(), hp::array({true, false})); });
    CHECK(contains(msg, "(2,)"));
    CHECK(contains(msg, "(3, 4)"));
  }
}

TEST_CASE("set and inc of advanced subtensors; inc accumulates repeated indices") {
  const hp::Var x = hp::matrix("x"), idx = hp::lvector("idx"), rows = hp::lvector("rows"), cols = hp::lvector("cols");
  SUBCASE("inc with a repeated row adds twice (np.add.at)") {
    check({x, idx}, hp::inc_subtensor(x[idx], 1.0), {x34(), ints({0, 0, 2})}, {3, 4},
          {2, 3, 4, 5, 4, 5, 6, 7, 9, 10, 11, 12});
  }
  SUBCASE("inc with a row vector broadcast over the picked rows") {
    const hp::Var v = hp::vector("v");
    check({x, idx, v}, hp::inc_subtensor(x[idx], v), {x34(), ints({1, 1}), hp::array({1., 2., 3., 4.})}, {3, 4},
          {0, 1, 2, 3, 6, 9, 12, 15, 8, 9, 10, 11});
  }
  SUBCASE("set of elements") {
    check({x, rows, cols}, hp::set_subtensor(x[{rows, cols}], 100.0), {x34(), ints({0, 2}), ints({-1, 0})}, {3, 4},
          {0, 1, 2, 100, 4, 5, 6, 7, 100, 9, 10, 11});
  }
  SUBCASE("set with repeated indices keeps the last value") {
    const hp::Var v = hp::vector("v");
    check({x, rows, cols, v}, hp::set_subtensor(x[{rows, cols}], v),
          {x34(), ints({1, 1}), ints({2, 2}), hp::array({-1., -2.})}, {3, 4}, {0, 1, 2, 3, 4, 5, -2, 7, 8, 9, 10, 11});
  }
  SUBCASE("integer tensors wrap as numpy") {
    const hp::Var xi = hp::bvector("xi");
    check({xi, idx}, hp::inc_subtensor(xi[idx], 100), {hp::array({100, 0}, hp::DType::Int8), ints({0, 0})}, {2},
          {44, 0});
  }
}

TEST_CASE("indices out of range raise hp::IndexError naming the variable, axis, index and bound") {
  const hp::Var x = hp::matrix("x"), idx = hp::lvector("idx"), cols = hp::lvector("cols");
  for (hp::Mode mode : kModes) {
    INFO("mode ", static_cast<int>(mode));
    const hp::Function get = hp::compile({x, idx}, {x[idx]}, {.mode = mode});
    std::string msg = message_of<hp::IndexError>([&] { get(x34(), ints({0, 3})); });
    CHECK(contains(msg, "index 3 is out of bounds for axis 0"));
    CHECK(contains(msg, "'x'"));
    CHECK(contains(msg, "size 3"));
    msg = message_of<hp::IndexError>([&] { get(x34(), ints({-4})); });
    CHECK(contains(msg, "index -4 is out of bounds for axis 0"));
    const hp::Function pick = hp::compile({x, cols}, {x[{hp::slice(), cols}]}, {.mode = mode});
    msg = message_of<hp::IndexError>([&] { pick(x34(), ints({4})); });
    CHECK(contains(msg, "index 4 is out of bounds for axis 1"));
    CHECK(contains(msg, "size 4"));
    // An IndexError is a ShapeError, as the bound is a length.
    CHECK_THROWS_AS(pick(x34(), ints({-5})), hp::ShapeError);
  }
}

TEST_CASE("a failed call leaves the shared variable it updates unchanged") {
  hp::Shared w = hp::shared(x34(), "w");
  const hp::Var idx = hp::lvector("idx");
  for (hp::Mode mode : kModes) {
    const hp::Function f = hp::compile({idx}, {}, {.updates = {{w, hp::inc_subtensor(w[idx], 1.0)}}, .mode = mode});
    CHECK_THROWS_AS(f(ints({1, 7})), hp::IndexError);
    CHECK(w.get_value().to_vector<double>() == x34().to_vector<double>());
  }
  const hp::Function f = hp::compile({idx}, {}, {.updates = {{w, hp::inc_subtensor(w[idx], 1.0)}}});
  f(ints({1, 1}));
  CHECK(w.get_value().to_vector<double>() == std::vector<double>{0, 1, 2, 3, 6, 7, 8, 9, 8, 9, 10, 11});
}

TEST_CASE("hp::arange as numpy's") {
  const hp::Var n = hp::lscalar("n");
  check({n}, hp::arange(n), {hp::Array(std::int64_t{5})}, {5}, {0, 1, 2, 3, 4});
  check({n}, hp::arange(n), {hp::Array(std::int64_t{-2})}, {0}, {});
  check({n}, hp::arange(n, 0, -2), {hp::Array(std::int64_t{5})}, {3}, {5, 3, 1});
  CHECK(hp::arange(n).dtype() == hp::DType::Int64);
  const hp::Var a = hp::scalar("a");
  CHECK(hp::arange(a, 2.0, 0.25).dtype() == hp::DType::Float64);
  check({a}, hp::arange(a, 2.0, 0.25), {hp::Array(1.0)}, {4}, {1, 1.25, 1.5, 1.75});
  for (hp::Mode mode : kModes) {
    const hp::Function f = hp::compile({n}, {hp::arange(0, 3, n)}, {.mode = mode});
    CHECK_THROWS_AS(f(hp::Array(std::int64_t{0})), hp::InvalidValueError);
  }
}

TEST_CASE("verify_grad of advanced get, set and inc") {
  const hp::Array idx = ints({2, 0, 2, -1});
  hp::verify_grad([&](const std::vector<hp::Var>& in) { return in[0][hp::constant(idx)]; }, {x34()});
  hp::verify_grad(
      [&](const std::vector<hp::Var>& in) { return in[0][{hp::slice(), hp::constant(ints({3, 3, 1}))}]; }, {x34()});
  hp::verify_grad(
      [&](const std::vector<hp::Var>& in) { return hp::inc_subtensor(in[0][hp::constant(idx)], in[1]); },
      {x34(), hp::array({{1., 2., 3., 4.}, {5., 6., 7., 8.}, {9., 1., 2., 3.}, {4., 5., 6., 7.}})});
  hp::verify_grad(
      [&](const std::vector<hp::Var>& in) {
        return hp::set_subtensor(in[0][{hp::constant(ints({0, 2})), hp::constant(ints({1, 3}))}], in[1]);
      },
      {x34(), hp::array({0.5, -0.5})});
  // The gradient of a gather with repeats accumulates: d sum(x[[0, 0]]) / dx[0] = 2.
  const hp::Var v = hp::vector("v");
  const hp::Var g = hp::grad(hp::sum(v[hp::constant(ints({0, 0, 2}))]), v);
  CHECK(g.eval({{v, hp::array({1., 1., 1.})}}).to_vector<double>() == std::vector<double>{2, 0, 1});
}

TEST_CASE("pp prints indexing as numpy writes it") {
  const hp::Var x = hp::matrix("x"), rows = hp::lvector("rows"), cols = hp::lvector("cols");
  CHECK(hp::pp(x[{rows, cols}]) == "x[rows, cols]");
  CHECK(hp::pp(x[{hp::slice(1, 3), cols}]) == "x[1:3, cols]");
  CHECK(hp::pp(x[{hp::slice(), cols}]) == "x[:, cols]");
  CHECK(hp::pp(x[rows]) == "x[rows]");
  CHECK(hp::pp(hp::inc_subtensor(x[rows], 1.0)) == "inc_subtensor(x[rows], TensorConstant{1.0})");
  CHECK(hp::pp(hp::arange(hp::lscalar("n"))) == "arange(TensorConstant{0}, n, TensorConstant{1})");
  const hp::Var picked = hp::named(x[rows], "picked");
  CHECK(hp::pp(hp::sum(picked)) == "sum(picked)");
}
