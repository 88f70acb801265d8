// The seed tutorial's cells (../shared/tutorial.txt) that need only the graph
// and Var::eval (compiled in the default mode, as Theano's), with the
// notebook's numbers.
#include <doctest/doctest.h>

#include <sstream>

#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"

namespace hp = hypatia;

using hypatia_test::printed;

TEST_CASE("cell 3: bar = foo**2 is a float64 scalar printed as (foo ** TensorConstant{2})") {
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  CHECK(bar.type().str() == "TensorType(float64, scalar)");
  CHECK(hp::pp(bar) == "(foo ** TensorConstant{2})");
}

TEST_CASE("cells 4-5: bar.eval at foo = 3 gives 9") {
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  hp::Array r = bar.eval({{foo, 3.0}});
  CHECK(r.ndim() == 0);
  CHECK(r.dtype() == hp::float64);
  CHECK(r.item<double>() == 9.0);
  CHECK(printed(r) == "9.0");
  // An int, as the notebook's f(3), converts exactly.
  CHECK(bar.eval({{foo, 3}}).item<double>() == 9.0);
}

TEST_CASE("cell 6: a C++ function building the graph gives the same result") {
  auto square = [](const hp::Var& x) { return hp::pow(x, 2); };
  hp::Var foo = hp::scalar("foo");
  CHECK(square(foo).eval({{foo, 3.0}}).item<double>() == 9.0);
}

TEST_CASE("cell 7: linear_mix y = dot(A, x) + b and z = sum(A**2)") {
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  hp::Var y = hp::dot(A, x) + b;
  hp::Var z = hp::sum(hp::pow(A, 2));
  const hp::Array A_val = hp::array({{1., 2., 3.}, {4., 5., 6.}});
  const hp::Array x_val = hp::array({1., 2., 3.});

  hp::Array y_val = y.eval({{A, A_val}, {x, x_val}, {b, hp::array({4., 5.})}});
  CHECK(y_val.to_vector<double>() == std::vector<double>{18., 37.});
  CHECK(printed(y_val) == "[18. 37.]");
  CHECK(z.eval({{A, A_val}}).item<double>() == 91.0);

  // The default b = [0, 0] gives [14, 32]; integer arrays convert as the notebook's.
  hp::Array y_default = y.eval({{A, hp::array({{1, 2, 3}, {4, 5, 6}})},
                                {x, hp::array({1, 2, 3})},
                                {b, hp::array({0., 0.})}});
  CHECK(y_default.to_vector<double>() == std::vector<double>{14., 32.});
  CHECK(hp::pp(y) == "((A \\dot x) + b)");
}

TEST_CASE("cells 8-10: a shared variable's type, value and square") {
  hp::Shared shared_var = hp::shared(hp::array({{1., 2.}, {3., 4.}}));
  CHECK(shared_var.type().str() == "TensorType(float64, matrix)");
  shared_var.set_value(hp::array({{3., 4.}, {2., 1.}}));
  CHECK(printed(shared_var.get_value()) == "[[3. 4.]\n [2. 1.]]");
  hp::Var shared_squared = hp::pow(shared_var, 2);
  CHECK(printed(shared_squared.eval()) == "[[ 9. 16.]\n [ 4.  1.]]");
}

TEST_CASE("cell 18: floatX decides the dtype of new variables, not of shared numpy-like values") {
  const hp::DType old = hp::config().floatX;
  hp::config().floatX = hp::float32;
  hp::Shared var = hp::shared(hp::array({1.3, 2.4}));
  CHECK(var.type().str() == "TensorType(float64, vector)");
  var = hp::shared(hp::array({1.3, 2.4}, hp::config().floatX));
  CHECK(var.type().str() == "TensorType(float32, vector)");
  CHECK(hp::vector("v").type().str() == "TensorType(float32, vector)");
  hp::config().floatX = old;
}
