// The seed Theano tutorial in C++, cell by cell: symbolic variables, pp,
// functions, shared variables and updates, gradients, Debug mode and floatX.
// The tutorial's MLP (cells 19-24) is examples/mlp.cpp. The output is checked
// line for line against tests/examples/tutorial.expected.txt.
#include <cxxabi.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <typeinfo>

#include <hypatia/hypatia.hpp>

namespace hp = hypatia;

namespace {

/// The demangled C++ type of a value: what Python's type(x) shows of a class.
template <class T>
std::string type_name(const T& value) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(typeid(value).name(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 ? name.get() : typeid(value).name();
}

void print_all(const std::vector<hp::Array>& values) {
  std::cout << "[";
  for (std::size_t i = 0; i < values.size(); ++i) std::cout << (i ? ", " : "") << values[i];
  std::cout << "]\n";
}
}  // namespace

int main() {
  // In [3]: symbolic variables and pretty printing.
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  std::cout << "In [3]\n<class '" << type_name(bar) << "'>\n" << bar.type().str() << "\n" << hp::pp(bar) << "\n\n";

  // In [4]-[6]: a compiled function, eval, and C++ functions building graphs.
  hp::Function f = hp::compile({foo}, {bar});
  std::cout << "In [4]\n" << f(3)[0] << "\n\nIn [5]\n" << bar.eval({{foo, 3.0}}) << "\n\n";
  auto square = [](const hp::Var& x) { return hp::pow(x, 2); };
  std::cout << "In [6]\n" << square(foo).eval({{foo, 3.0}}) << "\n\n";

  // In [7]: vectors, matrices, several outputs, a default value.
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  hp::Var y = hp::dot(A, x) + b;
  hp::Var z = hp::sum(hp::pow(A, 2));
  hp::Array b_default = hp::array({0., 0.});
  hp::Function linear_mix = hp::compile({A, x, hp::In(b, b_default)}, {y, z});
  std::cout << "In [7]\n";
  print_all(linear_mix(hp::array({{1., 2., 3.}, {4., 5., 6.}}), hp::array({1., 2., 3.}), hp::array({4., 5.})));
  print_all(linear_mix(hp::array({{1, 2, 3}, {4, 5, 6}}), hp::array({1, 2, 3})));

  // In [8]-[11]: shared variables and updates.
  hp::Shared shared_var = hp::shared(hp::array({{1., 2.}, {3., 4.}}));
  std::cout << "\nIn [8]\n<" << shared_var.type().str() << ">\n";
  shared_var.set_value(hp::array({{3., 4.}, {2., 1.}}));
  std::cout << "\nIn [9]\n" << shared_var.get_value() << "\n";
  hp::Var shared_squared = hp::pow(shared_var, 2);
  hp::Function function_1 = hp::compile({}, {shared_squared});
  std::cout << "\nIn [10]\n" << function_1()[0] << "\n";
  hp::Var subtract = hp::matrix("subtract");
  hp::Function function_2 =
      hp::compile({subtract}, {shared_var}, {.updates = {{shared_var, shared_var - subtract}}});
  std::cout << "\nIn [11]\nshared_var before subtracting [[1, 1], [1, 1]] using function_2:\n"
            << shared_var.get_value() << "\n";
  function_2(hp::array({{1, 1}, {1, 1}}));
  std::cout << "shared_var after calling function_2:\n" << shared_var.get_value() << "\n"
            << "New output of function_1() (shared_var**2):\n" << function_1()[0] << "\n";

  // In [12]-[13]: gradients and Jacobians.
  hp::Var bar_grad = hp::grad(bar, foo);
  std::cout << "\nIn [12]\n" << bar_grad.eval({{foo, 10.0}}) << "\n";
  hp::Var y_J = hp::jacobian(y, x);
  hp::Function linear_mix_J = hp::compile({A, x, b}, {y_J});
  std::cout << "\nIn [13]\n"
            << linear_mix_J(hp::array({{9, 8, 7}, {4, 5, 6}}), hp::array({1, 2, 3}), hp::array({4, 5}))[0]
            << "\n";

  // In [14]-[15]: division, and Debug mode catching the NaN.
  hp::Var num = hp::scalar("num");
  hp::Var den = hp::scalar("den");
  hp::Function divide = hp::compile({num, den}, {num / den});
  std::cout << "\nIn [14]\n" << divide(10, 2)[0] << "\n" << divide(0, 0)[0] << "\n";
  hp::Function debug_divide = hp::compile({num, den}, {num / den}, {.mode = hp::Mode::Debug});
  std::cout << "\nIn [15]\n";
  try {
    debug_divide(0, 0);
  } catch (const hp::InvalidValueError& e) {
    std::cout << e.what() << "\n";
  }

  // In [16]-[18]: configuration and floatX (In [17] prints nothing).
  std::cout << "\nIn [16]\n" << hp::config().device << "\n" << hp::dtype_name(hp::config().floatX) << "\n";
  const hp::DType old_floatX = hp::config().floatX;
  hp::config().floatX = hp::float32;
  hp::Shared var = hp::shared(hp::array({1.3, 2.4}));
  std::cout << "\nIn [18]\n<" << var.type().str() << ">\n";
  var = hp::shared(hp::array({1.3, 2.4}, hp::config().floatX));
  std::cout << "<" << var.type().str() << ">\n";
  hp::config().floatX = old_floatX;
  return 0;
}
