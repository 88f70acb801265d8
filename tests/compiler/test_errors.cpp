// Bad input gives an hp::Error subclass whose message names what is at fault.
#include <doctest/doctest.h>

#include <string>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;

using hypatia_test::contains;
using hypatia_test::message_of;

TEST_CASE("matmul of a scalar is a TypeError naming the op and the types") {
  const auto msg = message_of<hp::TypeError>([] { hp::matmul(hp::scalar("s"), hp::matrix("m")); });
  CHECK(contains(msg, "matmul"));
  CHECK(contains(msg, "TensorType(float64, scalar)"));
}

TEST_CASE("a reduction axis out of range is a TypeError naming the axis and the rank") {
  const auto msg = message_of<hp::TypeError>([] { hp::sum(hp::matrix("m"), 2); });
  CHECK(contains(msg, "axis 2"));
  CHECK(contains(msg, "rank 2"));
}

TEST_CASE("subtracting booleans is a TypeError") {
  const auto msg = message_of<hp::TypeError>(
      [] { hp::vector("p", hp::bool_) - hp::vector("q", hp::bool_); });
  CHECK(contains(msg, "booleans"));
}

TEST_CASE("a missing input names the variable") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::vector("y");
  const auto msg = message_of<hp::Error>([&] { (x + y).eval({{x, hp::array({1.})}}); });
  CHECK(contains(msg, "'y'"));
}

TEST_CASE("a value of the wrong rank is a TypeError naming the variable and shapes") {
  hp::Var x = hp::vector("x");
  const auto msg = message_of<hp::TypeError>([&] { hp::exp(x).eval({{x, hp::array({{1., 2.}})}}); });
  CHECK(contains(msg, "'x'"));
  CHECK(contains(msg, "(1, 2)"));
}

TEST_CASE("a narrowing dtype is a TypeError naming both dtypes") {
  hp::Var x = hp::vector("x", hp::float32);
  const auto msg = message_of<hp::TypeError>([&] { hp::exp(x).eval({{x, hp::array({1., 2.})}}); });
  CHECK(contains(msg, "float32"));
  CHECK(contains(msg, "float64"));
}

TEST_CASE("a broadcastable axis of size other than 1 is a ShapeError") {
  hp::Var c = hp::col("c");
  const auto msg = message_of<hp::ShapeError>([&] { hp::exp(c).eval({{c, hp::array({{1., 2.}})}}); });
  CHECK(contains(msg, "'c'"));
  CHECK(contains(msg, "(1, 2)"));
}

TEST_CASE("elementwise shapes that do not match name both shapes") {
  hp::Var a = hp::vector("a");
  hp::Var b = hp::vector("b");
  const auto msg = message_of<hp::ShapeError>(
      [&] { (a + b).eval({{a, hp::array({1., 2.})}, {b, hp::array({1., 2., 3.})}}); });
  CHECK(contains(msg, "(2,)"));
  CHECK(contains(msg, "(3,)"));
}

TEST_CASE("dot of misaligned shapes is a ShapeError naming both shapes") {
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  const auto msg = message_of<hp::ShapeError>(
      [&] { hp::dot(A, x).eval({{A, hp::Array::ones({2, 3})}, {x, hp::Array::ones({2})}}); });
  CHECK(contains(msg, "(2, 3)"));
  CHECK(contains(msg, "(2,)"));
}

TEST_CASE("reshape to a wrong size is a ShapeError naming both shapes") {
  hp::Var x = hp::vector("x");
  const auto msg = message_of<hp::ShapeError>(
      [&] { hp::reshape(x, {4, 2}).eval({{x, hp::Array::ones({6})}}); });
  CHECK(contains(msg, "(6,)"));
  CHECK(contains(msg, "(4, 2)"));
}

TEST_CASE("an index out of range is a ShapeError naming the index and the size") {
  hp::Var x = hp::vector("x");
  const auto msg = message_of<hp::ShapeError>(
      [&] { hp::subtensor(x, {5}).eval({{x, hp::Array::ones({3})}}); });
  CHECK(contains(msg, "index 5"));
  CHECK(contains(msg, "size 3"));
}

TEST_CASE("too many indices is a TypeError") {
  const auto msg = message_of<hp::TypeError>([] { hp::subtensor(hp::vector("x"), {1, 2}); });
  CHECK(contains(msg, "2 indices"));
}

TEST_CASE("integer division by zero is an InvalidValueError naming the op") {
  hp::Var a = hp::vector("a", hp::int32);
  const auto msg = message_of<hp::InvalidValueError>(
      [&] { hp::int_div(a, 0).eval({{a, hp::array({1, 2})}}); });
  CHECK(contains(msg, "int_div"));
  CHECK(contains(msg, "division by zero"));
}

TEST_CASE("max of an empty array is an InvalidValueError") {
  hp::Var x = hp::vector("x");
  const auto msg = message_of<hp::InvalidValueError>(
      [&] { hp::max(x).eval({{x, hp::Array::zeros({0})}}); });
  CHECK(contains(msg, "zero-size"));
}

TEST_CASE("giving a value to a variable the expression does not use is an Error naming it") {
  hp::Var x = hp::vector("x");
  hp::Var unused = hp::vector("unused");
  const auto msg = message_of<hp::Error>(
      [&] { hp::exp(x).eval({{x, hp::array({1.})}, {unused, hp::array({1.})}}); });
  CHECK(contains(msg, "'unused'"));
}

TEST_CASE("a null Var is an Error, not a crash") {
  hp::Var null;
  CHECK_THROWS_AS(null.type(), hp::Error);
  CHECK_THROWS_AS(hp::exp(null), hp::Error);
  CHECK_THROWS_AS(hp::pp(null), hp::Error);
}

TEST_CASE("set_value with a narrower dtype or another rank is a TypeError naming the shared variable") {
  hp::Shared w = hp::shared(hp::array({{1.f, 2.f}}), "w");
  auto msg = message_of<hp::TypeError>([&] { w.set_value(hp::array({{1., 2.}})); });
  CHECK(contains(msg, "'w'"));
  CHECK(contains(msg, "float64"));
  msg = message_of<hp::TypeError>([&] { w.set_value(hp::array({1.f, 2.f})); });
  CHECK(contains(msg, "rank 1"));
  w.set_value(hp::array({{5.f, 6.f}, {7.f, 8.f}}));  // a new shape is fine
  CHECK(w.get_value().shape() == hp::Shape{2, 2});
}

TEST_CASE("an unknown dtype name is a TypeError naming it") {
  const auto msg = message_of<hp::TypeError>([] { hp::dtype_from_name("float16"); });
  CHECK(contains(msg, "float16"));
}

TEST_CASE("an unknown flag is an Error naming it") {
  const auto msg = message_of<hp::Error>([] { hp::config().set("floatx", "float32"); });
  CHECK(contains(msg, "floatx"));
}

TEST_CASE("set_subtensor of something that is not a subtensor is a TypeError") {
  const auto msg = message_of<hp::TypeError>(
      [] { hp::set_subtensor(hp::vector("x"), hp::scalar("y")); });
  CHECK(contains(msg, "subtensor"));
}

// --- named intermediate results in messages ------------------------------------------------

TEST_CASE("a shape error in a named intermediate result names it") {
  hp::Var a = hp::vector("a");
  hp::Var b = hp::vector("b");
  hp::Var total = hp::named(a + b, "total");
  const auto msg = message_of<hp::ShapeError>(
      [&] { hp::exp(total).eval({{a, hp::array({1., 2.})}, {b, hp::array({1., 2., 3.})}}); });
  CHECK(contains(msg, "'total' = (a + b)"));
}

TEST_CASE("an operand that is a named intermediate result prints by its name in a message") {
  hp::Var a = hp::vector("a", hp::int32);
  hp::Var shifted = hp::named(a + 1, "shifted");
  const auto msg = message_of<hp::InvalidValueError>(
      [&] { hp::int_div(shifted, 0).eval({{a, hp::array({1, 2})}}); });
  CHECK(contains(msg, "(shifted // TensorConstant{0})"));
}

TEST_CASE("Debug mode's non-finite value error names the named variable that holds it") {
  hp::Var num = hp::scalar("num"), den = hp::scalar("den");
  hp::Var ratio = hp::named(num / den, "ratio");
  hp::Function f = hp::compile({num, den}, {ratio * 2.0}, {.mode = hp::Mode::Debug});
  const auto msg = message_of<hp::InvalidValueError>([&] { f(0.0, 0.0); });
  CHECK(contains(msg, "variable      = 'ratio'  (output 0 of the node)"));
  CHECK(contains(msg, "node          = (num / den)"));
}

TEST_CASE("compile's messages name a named variable") {
  hp::Var x = hp::vector("x");
  hp::Var h = hp::named(hp::exp(x), "h");
  const auto msg = message_of<hp::Error>([&] { hp::compile({h, h}, {h * 2.0}); });
  CHECK(contains(msg, "'h' (TensorType(float64, vector)) appears twice among the inputs"));
}
