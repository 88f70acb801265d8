// The seed tutorial's cells about theano.function and theano.shared
// (../shared/tutorial.txt, cells 4, 7, 8-11, 14-18), with hp::compile.
#include <doctest/doctest.h>

#include <sstream>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;

using hypatia_test::printed;

TEST_CASE("cell 4: f = function([foo], foo**2); f(3) gives 9") {
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  hp::Function f = hp::compile({foo}, {bar});
  std::vector<hp::Array> out = f(3);
  REQUIRE(out.size() == 1);
  CHECK(printed(out[0]) == "9.0");
  CHECK(f(3.0)[0].item<double>() == 9.0);
}

TEST_CASE("cell 7: linear_mix with a default for b") {
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  hp::Var y = hp::dot(A, x) + b;
  hp::Var z = hp::sum(hp::pow(A, 2));
  hp::Array b_default = hp::array({0., 0.});
  hp::Function linear_mix = hp::compile({A, x, hp::In(b, b_default)}, {y, z});

  auto out = linear_mix(hp::array({{1., 2., 3.}, {4., 5., 6.}}), hp::array({1., 2., 3.}),
                        hp::array({4., 5.}));
  CHECK(printed(out[0]) == "[18. 37.]");
  CHECK(printed(out[1]) == "91.0");

  // The notebook passes integer arrays here; they convert to float64 safely.
  out = linear_mix(hp::array({{1, 2, 3}, {4, 5, 6}}), hp::array({1, 2, 3}));
  CHECK(printed(out[0]) == "[14. 32.]");
  CHECK(printed(out[1]) == "91.0");
}

TEST_CASE("cells 8-11: shared variables, function_1 and function_2 with updates") {
  hp::Shared shared_var = hp::shared(hp::array({{1., 2.}, {3., 4.}}));
  CHECK(shared_var.type().str() == "TensorType(float64, matrix)");
  shared_var.set_value(hp::array({{3., 4.}, {2., 1.}}));
  CHECK(printed(shared_var.get_value()) == "[[3. 4.]\n [2. 1.]]");

  hp::Var shared_squared = hp::pow(shared_var, 2);
  hp::Function function_1 = hp::compile({}, {shared_squared});
  CHECK(printed(function_1()[0]) == "[[ 9. 16.]\n [ 4.  1.]]");

  hp::Var subtract = hp::matrix("subtract");
  hp::Function function_2 =
      hp::compile({subtract}, {shared_var}, {.updates = {{shared_var, shared_var - subtract}}});
  // The output is the value before the update.
  CHECK(printed(function_2(hp::array({{1, 1}, {1, 1}}))[0]) == "[[3. 4.]\n [2. 1.]]");
  CHECK(printed(shared_var.get_value()) == "[[2. 3.]\n [1. 0.]]");
  // function_1 sees the new value: the variable is shared.
  CHECK(printed(function_1()[0]) == "[[4. 9.]\n [1. 0.]]");
}

TEST_CASE("cell 14: divide(10, 2) is 5 and divide(0, 0) is nan outside Debug mode") {
  hp::Var num = hp::scalar("num");
  hp::Var den = hp::scalar("den");
  hp::Function divide = hp::compile({num, den}, {num / den}, {.mode = hp::Mode::FastRun});
  CHECK(divide(10, 2)[0].item<double>() == 5.0);
  CHECK(printed(divide(0, 0)[0]) == "nan");
}

TEST_CASE("cell 15: in Debug mode divide(0, 0) raises InvalidValueError naming the op and value") {
  hp::Var num = hp::scalar("num");
  hp::Var den = hp::scalar("den");
  hp::Function divide = hp::compile({num, den}, {num / den}, {.mode = hp::Mode::Debug});
  CHECK(divide(10, 2)[0].item<double>() == 5.0);
  try {
    divide(0.0, 0.0);
    FAIL("Debug mode let a NaN through");
  } catch (const hp::InvalidValueError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("Elemwise{true_div}") != std::string::npos);
    CHECK(msg.find("(num / den)") != std::string::npos);
    CHECK(msg.find("value         = nan") != std::string::npos);
    CHECK(msg.find("TensorType(float64, scalar)") != std::string::npos);
  }
}

TEST_CASE("cells 16-18: device and floatX, and shared variables keep their value's dtype") {
  CHECK(hp::config().device == "cpu");
  CHECK(hp::config().floatX == hp::float64);
  const hp::DType old_floatX = hp::config().floatX;
  hp::config().floatX = hp::float32;
  hp::Shared var = hp::shared(hp::array({1.3, 2.4}));
  CHECK(var.type().str() == "TensorType(float64, vector)");
  var = hp::shared(hp::array({1.3, 2.4}, hp::config().floatX));
  CHECK(var.type().str() == "TensorType(float32, vector)");
  hp::config().floatX = old_floatX;
}
