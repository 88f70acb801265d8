// The seed Theano tutorial in C++, cell by cell, as far as Hypatia goes today:
// symbolic variables, pp, eval, linear_mix, shared variables and floatX.
// (hp::compile, updates, grad and Debug mode arrive with the Functions,
// autodiff and CPU backend issues; this example grows with them.)
#include <iostream>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

int main() {
  // In [3]: symbolic variables and pretty printing.
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  std::cout << "In [3]\n" << bar.type().str() << "\n" << hp::pp(bar) << "\n\n";

  // In [5]: evaluating with values for the inputs.
  std::cout << "In [5]\n" << bar.eval({{foo, 3.0}}) << "\n\n";

  // In [6]: ordinary C++ functions build graphs too.
  auto square = [](const hp::Var& x) { return hp::pow(x, 2); };
  std::cout << "In [6]\n" << square(foo).eval({{foo, 3.0}}) << "\n\n";

  // In [7]: vectors and matrices.
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  hp::Var y = hp::dot(A, x) + b;
  hp::Var z = hp::sum(hp::pow(A, 2));
  const hp::Array A_val = hp::array({{1., 2., 3.}, {4., 5., 6.}});
  const hp::Array x_val = hp::array({1., 2., 3.});
  std::cout << "In [7]\n"
            << "[" << y.eval({{A, A_val}, {x, x_val}, {b, hp::array({4., 5.})}}) << ", "
            << z.eval({{A, A_val}}) << "]\n"
            << "[" << y.eval({{A, A_val}, {x, x_val}, {b, hp::array({0., 0.})}}) << ", "
            << z.eval({{A, A_val}}) << "]\n\n";

  // In [8]-[10]: shared variables.
  hp::Shared shared_var = hp::shared(hp::array({{1., 2.}, {3., 4.}}));
  std::cout << "In [8]\n<" << shared_var.type().str() << ">\n\n";
  shared_var.set_value(hp::array({{3., 4.}, {2., 1.}}));
  std::cout << "In [9]\n" << shared_var.get_value() << "\n\n";
  hp::Var shared_squared = hp::pow(shared_var, 2);
  std::cout << "In [10]\n" << shared_squared.eval() << "\n\n";

  // In [16]-[18]: configuration and floatX.
  std::cout << "In [16]\n" << hp::config().device << "\n" << hp::dtype_name(hp::config().floatX) << "\n\n";
  const hp::DType old_floatX = hp::config().floatX;
  hp::config().floatX = hp::float32;
  hp::Shared var = hp::shared(hp::array({1.3, 2.4}));
  std::cout << "In [18]\n<" << var.type().str() << ">\n";
  var = hp::shared(hp::array({1.3, 2.4}, hp::config().floatX));
  std::cout << "<" << var.type().str() << ">\n";
  hp::config().floatX = old_floatX;

  std::cout << "\nThe graph of y:\n" << hp::debugprint(y);
  return 0;
}
