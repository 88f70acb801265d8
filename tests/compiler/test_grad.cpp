// Reverse-mode differentiation: hp::grad, hp::jacobian and hp::hessian.
//
// Each expected gradient is written out by hand (or, for the MLP and the
// 200-layer chain, computed by a plain C++ loop in double that does not use
// the library), never taken from the code under test.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <hypatia/hypatia.hpp>

#include "tests/support/test_support.hpp"
#include <sstream>
#include <string>
#include <vector>

namespace hp = hypatia;

namespace {

using hypatia_test::describe;

/// "" when `got` has this dtype and shape and is close to `values` (C order).
std::string close(const hp::Array& got, hp::DType dtype, const hp::Shape& shape,
                  const std::vector<double>& values, double rtol = 1e-12) {
  if (got.dtype() != dtype || got.shape() != shape) {
    return "got " + describe(got) + ", expected dtype " + std::string(hp::dtype_name(dtype));
  }
  if (hp::allclose(got, hp::array(values, shape, hp::float64), rtol, 1e-12)) return "";
  return "got " + describe(got) + ", not close to the expected values";
}

/// The number of Apply nodes in the graph of `v` (one box per node in to_dot, uncapped).
int count_nodes(const hp::Var& v) {
  const std::string dot = hp::to_dot(v, {.max_nodes = 0});
  int n = 0;
  for (std::size_t at = dot.find("shape=box"); at != std::string::npos; at = dot.find("shape=box", at + 1))
    ++n;
  return n;
}

}  // namespace

// ============================================================================
// The tutorial
// ============================================================================

TEST_CASE("tutorial cell 12: the gradient of foo**2 at 10 is 20") {
  hp::Var foo = hp::scalar("foo");
  hp::Var bar = hp::pow(foo, 2);
  hp::Var g = hp::grad(bar, foo);
  CHECK(g.type() == foo.type());
  CHECK(g.eval({{foo, 10.0}}).item<double>() == 20.0);
  hp::Function f = hp::compile({foo}, {g});
  CHECK(f(10.0)[0].item<double>() == 20.0);
  CHECK(f(-1.5)[0].item<double>() == -3.0);
}

TEST_CASE("tutorial cell 13: the jacobian of dot(A, x) + b with respect to x is A") {
  hp::Var A = hp::matrix("A");
  hp::Var x = hp::vector("x");
  hp::Var b = hp::vector("b");
  hp::Var y = hp::dot(A, x) + b;
  hp::Var J = hp::jacobian(y, x);
  CHECK(J.type() == hp::matrix().type());
  hp::Function f = hp::compile({A, x, b}, {J});
  const std::vector<hp::Array> out =
      f(hp::array({{9, 8, 7}, {4, 5, 6}}), hp::array({1, 2, 3}), hp::array({4, 5}));
  CHECK(close(out[0], hp::float64, {2, 3}, {9, 8, 7, 4, 5, 6}, 0) == "");
}

TEST_CASE("the jacobian of x**2 is diag(2x)") {
  hp::Var x = hp::vector("x");
  hp::Var J = hp::jacobian(hp::pow(x, 2), x);
  CHECK(close(J.eval({{x, hp::array({4., 3.})}}), hp::float64, {2, 2}, {8, 0, 0, 6}) == "");
}

TEST_CASE("the jacobian of a scalar is its gradient") {
  hp::Var x = hp::vector("x");
  hp::Var J = hp::jacobian(hp::sum(hp::sqr(x)), x);
  CHECK(J.type() == x.type());
  CHECK(close(J.eval({{x, hp::array({1., -2.})}}), hp::float64, {2}, {2, -4}) == "");
}

TEST_CASE("the jacobian with respect to a shared variable, compiled") {
  hp::Shared w = hp::shared(hp::array({1., 2., 3.}), "w");
  hp::Var x = hp::vector("x");
  hp::Var J = hp::jacobian(hp::sqr(w) * x, w);
  hp::Function f = hp::compile({x}, {J});
  CHECK(close(f(hp::array({1., -1., 0.5}))[0], hp::float64, {3, 3}, {2, 0, 0, 0, -4, 0, 0, 0, 3}) == "");
}

TEST_CASE("the jacobian with respect to an intermediate variable") {
  hp::Var x = hp::vector("x");
  hp::Var h = x * 2;
  hp::Var J = hp::jacobian(hp::concatenate({hp::sqr(h), h}), h);
  // y = [h0^2, h1^2, h0, h1] at h = [2, 6]
  CHECK(close(J.eval({{x, hp::array({1., 3.})}}), hp::float64, {4, 2}, {4, 0, 0, 12, 1, 0, 0, 1}) == "");
}

TEST_CASE("a float32 jacobian is float32") {
  hp::Var x = hp::vector("x", hp::float32);
  hp::Var J = hp::jacobian(hp::exp(x) * 2, x);
  CHECK(J.dtype() == hp::float32);
  CHECK(close(J.eval({{x, hp::array({0.f, 1.f}, hp::float32)}}), hp::float32, {2, 2},
              {2, 0, 0, 2 * std::exp(1.0)}, 1e-6) == "");
}

TEST_CASE("the jacobian of a vector that does not depend on x raises, or with Ignore is zero") {
  hp::Var x = hp::vector("x");
  hp::Var z = hp::vector("z");
  CHECK_THROWS_AS(hp::jacobian(z * 2, x), hp::DisconnectedInputError);
  hp::Var J = hp::jacobian(z * 2, x, hp::DisconnectedInputs::Ignore);
  CHECK(close(J.eval({{z, hp::array({1., 2., 3.})}, {x, hp::array({4., 5.})}}), hp::float64, {3, 2},
              {0, 0, 0, 0, 0, 0}) == "");
}

TEST_CASE("the jacobian of a matrix output is a TypeError") {
  hp::Var x = hp::vector("x");
  hp::Var M = hp::matrix("M");
  CHECK_THROWS_AS(hp::jacobian(M * x, x), hp::TypeError);
}

TEST_CASE("the hessian of sum(x**3) is diag(6x)") {
  hp::Var x = hp::vector("x");
  hp::Var H = hp::hessian(hp::sum(hp::pow(x, 3)), x);
  CHECK(H.type() == hp::matrix().type());
  CHECK(close(H.eval({{x, hp::array({1., 2., -3.})}}), hp::float64, {3, 3}, {6, 0, 0, 0, 12, 0, 0, 0, -18}) ==
        "");
  hp::Function f = hp::compile({x}, {H});
  CHECK(close(f(hp::array({0.5, 1.0}))[0], hp::float64, {2, 2}, {3, 0, 0, 6}) == "");
}

TEST_CASE("the hessian of a quadratic form x'Ax is A + A'") {
  hp::Var x = hp::vector("x");
  hp::Var A = hp::matrix("A");
  hp::Var H = hp::hessian(hp::dot(x, hp::dot(A, x)), x);
  CHECK(close(H.eval({{x, hp::array({1., 2.})}, {A, hp::array({{1., 2.}, {3., 4.}})}}), hp::float64, {2, 2},
              {2, 5, 5, 8}) == "");
}

TEST_CASE("the hessian with respect to a matrix is a TypeError") {
  hp::Var M = hp::matrix("M");
  CHECK_THROWS_AS(hp::hessian(hp::sum(hp::sqr(M)), M), hp::TypeError);
}

// ============================================================================
// The tutorial's 2-4-1 sigmoid MLP: the gradient against finite differences
// ============================================================================

TEST_CASE(
    "the gradient of the 2-4-1 sigmoid MLP's squared error matches central differences element by element") {
  hp::Shared W1 = hp::shared(hp::array({{0.5, -0.3}, {0.8, 0.2}, {-0.6, 0.9}, {0.1, -0.7}}), "W1");
  hp::Shared b1 = hp::shared(hp::array({{0.1}, {-0.2}, {0.3}, {0.05}}), "b1", std::vector<bool>{false, true});
  hp::Shared W2 = hp::shared(hp::array({{0.7, -0.5, 0.4, 0.9}}), "W2");
  hp::Shared b2 = hp::shared(hp::array({{-0.15}}), "b2", std::vector<bool>{false, true});
  hp::Var X = hp::matrix("X");
  hp::Var y = hp::matrix("y");
  hp::Var hidden = hp::sigmoid(hp::dot(W1, X) + b1);
  hp::Var output = hp::sigmoid(hp::dot(W2, hidden) + b2);
  hp::Var cost = hp::sum(hp::pow(output - y, 2));

  const std::vector<hp::Shared> params{W1, b1, W2, b2};
  const std::vector<hp::Var> wrt(params.begin(), params.end());
  const std::vector<hp::Var> grads = hp::grad(cost, wrt);
  for (std::size_t i = 0; i < params.size(); ++i) {
    INFO("parameter ", params[i].name());
    CHECK(grads[i].type() == params[i].type());
  }
  CHECK(grads[1].type().str() == "TensorType(float64, col)");

  const hp::Array X_value = hp::array({{0., 0., 1., 1.}, {0., 1., 0., 1.}});
  const hp::Array y_value = hp::array({{0., 1., 1., 0.}});
  hp::Function cost_fn = hp::compile({X, y}, {cost});
  hp::Function grad_fn = hp::compile({X, y}, grads);
  const std::vector<hp::Array> analytic = grad_fn(X_value, y_value);

  const double eps = 1e-6;
  int checked = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    hp::Shared p = params[i];
    const hp::Array original = p.get_value();
    REQUIRE(analytic[i].shape() == original.shape());
    for (std::int64_t k = 0; k < original.size(); ++k) {
      auto cost_at = [&](double delta) {
        hp::Array moved = original.copy();
        moved.set_flat_double(k, original.get_flat_double(k) + delta);
        p.set_value(moved);
        return cost_fn(X_value, y_value)[0].item<double>();
      };
      const double numeric = (cost_at(eps) - cost_at(-eps)) / (2 * eps);
      p.set_value(original);
      INFO("parameter ", p.name(), " element ", k);
      CHECK(analytic[i].get_flat_double(k) == doctest::Approx(numeric).epsilon(1e-6));
      CHECK(std::fabs(numeric) > 1e-4);  // every element matters: the check is not vacuous
      ++checked;
    }
  }
  CHECK(checked == 8 + 4 + 4 + 1);
}

// ============================================================================
// A deep chain: linear time and size, shared subexpressions stay shared
// ============================================================================

namespace {

/// h = tanh(h * w + h), `depth` times: each layer uses its input twice.
hp::Var tanh_chain(const hp::Var& x, const hp::Var& w, int depth) {
  hp::Var h = x;
  for (int i = 0; i < depth; ++i) h = hp::tanh(h * w + h);
  return h;
}

}  // namespace

TEST_CASE("a 200-layer chain that uses each layer twice differentiates fast and correctly") {
  constexpr int kDepth = 200;
  hp::Var x = hp::vector("x");
  hp::Var w = hp::scalar("w");
  hp::Var cost = hp::sum(tanh_chain(x, w, kDepth));

  const auto start = std::chrono::steady_clock::now();
  const std::vector<hp::Var> g = hp::grad(cost, {x, w});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("grad of the 200-layer chain built in " << seconds * 1e3 << " ms, " << count_nodes(g[0])
                                                  << " nodes for d/dx");
  CHECK(seconds < 5.0);

  // The same in plain double: forward keeping every layer, then backward.
  const std::vector<double> x0{0.9, -0.4, 1.7};
  const double w0 = 0.05;
  std::vector<double> gx(x0.size());
  double gw = 0;
  for (std::size_t j = 0; j < x0.size(); ++j) {
    std::vector<double> h{x0[j]};
    for (int i = 0; i < kDepth; ++i) h.push_back(std::tanh(h.back() * w0 + h.back()));
    double dh = 1;
    for (int i = kDepth; i > 0; --i) {
      const double dpre = dh * (1 - h[i] * h[i]);
      gw += dpre * h[i - 1];
      dh = dpre * (w0 + 1);
    }
    gx[j] = dh;
  }
  const std::vector<std::pair<hp::Var, hp::Array>> at{{x, hp::array(x0)}, {w, w0}};
  CHECK(close(g[0].eval(at), hp::float64, {3}, gx, 1e-10) == "");
  CHECK(close(g[1].eval(at), hp::float64, {}, {gw}, 1e-10) == "");
}

TEST_CASE("the gradient graph of a chain grows linearly with its depth") {
  hp::Var x = hp::vector("x");
  hp::Var w = hp::scalar("w");
  const int n100 = count_nodes(hp::grad(hp::sum(tanh_chain(x, w, 100)), x));
  const int n200 = count_nodes(hp::grad(hp::sum(tanh_chain(x, w, 200)), x));
  MESSAGE("gradient nodes: depth 100 -> " << n100 << ", depth 200 -> " << n200);
  CHECK(n200 < 20 * 200);
  CHECK(n200 - n100 == doctest::Approx(n100).epsilon(0.1));
}

TEST_CASE("a polynomial chain h = h*h*0.5 + h differentiates like its hand-written derivative") {
  constexpr int kDepth = 200;
  hp::Var x = hp::scalar("x");
  hp::Var h = x;
  for (int i = 0; i < kDepth; ++i) h = h * h * 0.5 + h;
  hp::Var g = hp::grad(h, x);
  const double x0 = 1e-4;
  std::vector<double> hs{x0};
  for (int i = 0; i < kDepth; ++i) hs.push_back(hs.back() * hs.back() * 0.5 + hs.back());
  double d = 1;
  for (int i = kDepth; i > 0; --i) d *= hs[i - 1] + 1;
  CHECK(g.eval({{x, x0}}).item<double>() == doctest::Approx(d).epsilon(1e-10));
}

// ============================================================================
// Broadcasting undone, dtypes kept
// ============================================================================

TEST_CASE("the gradient with respect to a row sums over the broadcast rows and is a row") {
  hp::Var M = hp::matrix("M");
  hp::Var r = hp::row("r");
  hp::Var g = hp::grad(hp::sum(M * r), r);
  CHECK(g.type() == r.type());
  const hp::Array value =
      g.eval({{M, hp::array({{1., 2., 3.}, {4., 5., 6.}})}, {r, hp::array({{1., 1., 1.}})}});
  CHECK(close(value, hp::float64, {1, 3}, {5, 7, 9}) == "");
}

TEST_CASE("the gradient with respect to a col sums over the broadcast columns and is a col") {
  hp::Var M = hp::matrix("M");
  hp::Var c = hp::col("c");
  hp::Var g = hp::grad(hp::sum(M * c), c);
  CHECK(g.type() == c.type());
  const hp::Array value =
      g.eval({{M, hp::array({{1., 2., 3.}, {4., 5., 6.}})}, {c, hp::array({{2.}, {3.}})}});
  CHECK(close(value, hp::float64, {2, 1}, {6, 15}) == "");
}

TEST_CASE("the gradient with respect to a scalar broadcast over a matrix is the scalar sum") {
  hp::Var M = hp::matrix("M");
  hp::Var s = hp::scalar("s");
  hp::Var g = hp::grad(hp::sum(M * s + s), s);
  CHECK(g.type() == s.type());
  CHECK(close(g.eval({{M, hp::array({{1., 2., 3.}, {4., 5., 6.}})}, {s, 7.0}}), hp::float64, {}, {21 + 6}) ==
        "");
}

TEST_CASE("the gradient with respect to a vector added to every row of a matrix sums the rows") {
  hp::Var M = hp::matrix("M");
  hp::Var v = hp::vector("v");
  hp::Var g = hp::grad(hp::sum(hp::sqr(M + v)), v);
  CHECK(g.type() == v.type());
  // d/dv sum((M + v)^2) = 2 * sum over rows of (M + v)
  const hp::Array value =
      g.eval({{M, hp::array({{1., 2., 3.}, {4., 5., 6.}})}, {v, hp::array({1., 0., -1.})}});
  CHECK(close(value, hp::float64, {3}, {14, 14, 14}) == "");
}

TEST_CASE("the gradient with respect to a fully broadcastable matrix is a (1, 1) matrix") {
  hp::Var M = hp::matrix("M");
  hp::Var b = hp::tensor("b", hp::float64, {true, true});
  hp::Var g = hp::grad(hp::sum(M * b), b);
  CHECK(g.type() == b.type());
  CHECK(close(g.eval({{M, hp::array({{1., 2.}, {3., 4.}})}, {b, hp::array({{5.}})}}), hp::float64, {1, 1},
              {10}) == "");
}

TEST_CASE("an integer input gets a zero gradient of its own type") {
  hp::Var x = hp::vector("x");
  hp::Var i = hp::vector("i", hp::int32);
  hp::Var cost = hp::sum(x * i);
  const std::vector<hp::Var> g = hp::grad(cost, {x, i});
  CHECK(g[0].type() == x.type());
  CHECK(g[1].type() == i.type());
  const std::vector<std::pair<hp::Var, hp::Array>> at{{x, hp::array({0.5, 1.5, 2.5})},
                                                      {i, hp::array({3, -4, 5}, hp::int32)}};
  CHECK(close(g[0].eval(at), hp::float64, {3}, {3, -4, 5}) == "");
  CHECK(close(g[1].eval({at[1]}), hp::int32, {3}, {0, 0, 0}) == "");
}

TEST_CASE("a float32 graph gives float32 gradients") {
  hp::Var x = hp::matrix("x", hp::float32);
  hp::Var r = hp::row("r", hp::float32);
  hp::Var cost = hp::sum(hp::tanh(x) * 0.5 + hp::exp(x * r) / 4);
  CHECK(cost.dtype() == hp::float32);
  const std::vector<hp::Var> g = hp::grad(cost, {x, r});
  CHECK(g[0].type() == x.type());
  CHECK(g[1].type() == r.type());
  const std::vector<std::pair<hp::Var, hp::Array>> at{{x, hp::array({{0.f, 1.f}, {-1.f, 2.f}}, hp::float32)},
                                                      {r, hp::array({{1.f, 0.5f}}, hp::float32)}};
  // d/dx = 0.5 (1 - tanh(x)^2) + r exp(x r) / 4; d/dr = sum over rows of x exp(x r) / 4
  const auto t = [](double v) { return 0.5 * (1 - std::tanh(v) * std::tanh(v)); };
  CHECK(close(g[0].eval(at), hp::float32, {2, 2},
              {t(0) + 0.25, t(1) + 0.5 * std::exp(0.5) / 4, t(-1) + std::exp(-1.0) / 4,
               t(2) + 0.5 * std::exp(1.0) / 4},
              1e-6) == "");
  CHECK(close(g[1].eval(at), hp::float32, {1, 2},
              {(0 - std::exp(-1.0)) / 4, (std::exp(0.5) + 2 * std::exp(1.0)) / 4}, 1e-6) == "");
}

TEST_CASE("a float32 variable in a float64 graph gets a float32 gradient") {
  hp::Var x = hp::vector("x", hp::float32);
  hp::Var y = hp::vector("y");
  hp::Var g = hp::grad(hp::sum(x * y), x);
  CHECK(g.type() == x.type());
  CHECK(close(g.eval({{x, hp::array({1.f, 2.f}, hp::float32)}, {y, hp::array({0.25, -3.})}}), hp::float32,
              {2}, {0.25, -3}) == "");
}

TEST_CASE("a float32 cost under floatX float64 seeds a float32 gradient") {
  hp::Var x = hp::scalar("x", hp::float32);
  hp::Var g = hp::grad(x * x * 3, x);
  CHECK(g.dtype() == hp::float32);
  CHECK(g.eval({{x, hp::Array(2.f)}}).item<double>() == 12.0);
}

TEST_CASE("under floatX = float32 the tutorial's gradient is float32") {
  const hp::DType old = hp::config().floatX;
  hp::config().floatX = hp::float32;
  hp::Var foo = hp::scalar("foo");
  hp::Var g = hp::grad(hp::pow(foo, 2) * 0.5 + hp::sigmoid(foo), foo);
  hp::config().floatX = old;
  CHECK(g.dtype() == hp::float32);
  // foo + sigmoid(foo) (1 - sigmoid(foo)) at 10
  const double s = 1 / (1 + std::exp(-10.0));
  CHECK(close(g.eval({{foo, hp::Array(10.f)}}), hp::float32, {}, {10 + s * (1 - s)}, 1e-7) == "");
}

TEST_CASE("the gradient of prod is the product of the other elements, zeros included") {
  hp::Var x = hp::vector("x");
  hp::Var g = hp::grad(hp::prod(x), x);
  CHECK(close(g.eval({{x, hp::array({4., 2., 3.})}}), hp::float64, {3}, {6, 12, 8}) == "");
  CHECK(close(g.eval({{x, hp::array({0., 2., 3.})}}), hp::float64, {3}, {6, 0, 0}) == "");
  CHECK(close(g.eval({{x, hp::array({0., 2., 0.})}}), hp::float64, {3}, {0, 0, 0}) == "");
  // Along an axis: each row on its own.
  hp::Var M = hp::matrix("M");
  hp::Var gm = hp::grad(hp::sum(hp::prod(M, 1)), M);
  CHECK(close(gm.eval({{M, hp::array({{2., 0., 5.}, {1., 2., 3.}, {0., 0., 7.}})}}), hp::float64, {3, 3},
              {0, 10, 0, 6, 3, 2, 0, 0, 0}) == "");
}

// ============================================================================
// Errors and options
// ============================================================================

TEST_CASE("the gradient of a non-scalar cost is a TypeError") {
  hp::Var x = hp::vector("x");
  CHECK_THROWS_AS(hp::grad(x * 2, x), hp::TypeError);
  CHECK_THROWS_WITH_AS(hp::grad(x * 2, x), doctest::Contains("scalar"), hp::TypeError);
}

TEST_CASE("a null cost or wrt is an hp::Error") {
  hp::Var x = hp::vector("x");
  CHECK_THROWS_AS(hp::grad(hp::Var(), x), hp::Error);
  CHECK_THROWS_AS(hp::grad(hp::sum(x), hp::Var()), hp::Error);
}

TEST_CASE("a wrt the cost does not depend on raises DisconnectedInputError naming it") {
  hp::Var x = hp::vector("x");
  hp::Var unused = hp::matrix("unused_weights");
  CHECK_THROWS_AS(hp::grad(hp::sum(x), {x, unused}), hp::DisconnectedInputError);
  CHECK_THROWS_WITH_AS(hp::grad(hp::sum(x), unused), doctest::Contains("unused_weights"),
                       hp::DisconnectedInputError);
}

TEST_CASE("disconnected_inputs = Ignore gives zeros shaped like the disconnected input") {
  hp::Var x = hp::vector("x");
  hp::Var unused = hp::matrix("unused");
  const std::vector<hp::Var> g =
      hp::grad(hp::sum(x), {x, unused}, {.disconnected_inputs = hp::DisconnectedInputs::Ignore});
  CHECK(g[1].type() == unused.type());
  CHECK(close(g[1].eval({{unused, hp::array({{1., 2.}, {3., 4.}})}}), hp::float64, {2, 2}, {0, 0, 0, 0}) ==
        "");
  CHECK(close(g[0].eval({{x, hp::array({5., 6.})}}), hp::float64, {2}, {1, 1}) == "");
}

TEST_CASE("disconnected_inputs = Warn gives zeros too") {
  hp::Var x = hp::vector("x");
  hp::Var unused = hp::scalar("unused");
  hp::Var g = hp::grad(hp::sum(x), unused, {.disconnected_inputs = hp::DisconnectedInputs::Warn});
  CHECK(g.type() == unused.type());
  CHECK(g.eval({{unused, 3.0}}).item<double>() == 0.0);
}

TEST_CASE("the gradient of the cost with respect to itself is one") {
  hp::Var s = hp::scalar("s");
  hp::Var g = hp::grad(s, s);
  CHECK(g.type() == s.type());
  CHECK(g.eval().item<double>() == 1.0);
}

TEST_CASE("consider_constant stops the gradient flowing through a variable") {
  hp::Var x = hp::vector("x");
  hp::Var c = x * 2;
  hp::Var cost = hp::sum(x * c);
  const hp::Array at = hp::array({1., 2., 3.});
  CHECK(close(hp::grad(cost, x).eval({{x, at}}), hp::float64, {3}, {4, 8, 12}) == "");
  hp::Var g = hp::grad(cost, x, {.consider_constant = {c}});
  CHECK(close(g.eval({{x, at}}), hp::float64, {3}, {2, 4, 6}) == "");
}

TEST_CASE("consider_constant that cuts every path to wrt makes it disconnected") {
  hp::Var x = hp::vector("x");
  hp::Var c = hp::exp(x);
  hp::Var cost = hp::sum(c * 3);
  CHECK_THROWS_AS(hp::grad(cost, x, {.consider_constant = {c}}), hp::DisconnectedInputError);
  hp::Var g =
      hp::grad(cost, x, {.consider_constant = {c}, .disconnected_inputs = hp::DisconnectedInputs::Ignore});
  CHECK(close(g.eval({{x, hp::array({1., 2.})}}), hp::float64, {2}, {0, 0}) == "");
}

TEST_CASE("known_grads supplies the gradient of an intermediate variable instead of deriving it") {
  hp::Var x = hp::vector("x");
  hp::Var y = x * 3;
  hp::Var cost = hp::sum(hp::sqr(y));
  hp::Var gy = hp::vector("gy");
  hp::Var g = hp::grad(cost, x, {.known_grads = {{y, gy}}});
  // d(cost)/dy is taken to be gy, so d(cost)/dx = 3 gy: x is not even needed.
  const hp::Array value = g.eval({{gy, hp::array({1., 10., 100.})}});
  CHECK(close(value, hp::float64, {3}, {3, 30, 300}) == "");
}

TEST_CASE("known_grads reaches variables the cost does not depend on") {
  hp::Var x = hp::vector("x");
  hp::Var z = hp::vector("z");
  hp::Var y = hp::exp(z);
  hp::Var gy = hp::vector("gy");
  hp::Var g = hp::grad(hp::sum(x), z, {.known_grads = {{y, gy}}});
  const hp::Array value = g.eval({{z, hp::array({0., 1.})}, {gy, hp::array({2., 3.})}});
  CHECK(close(value, hp::float64, {2}, {2, 3 * std::exp(1.0)}) == "");
}

TEST_CASE("known_grads of the wrong rank is a TypeError") {
  hp::Var x = hp::vector("x");
  hp::Var y = x * 3;
  CHECK_THROWS_AS(hp::grad(hp::sum(y), x, {.known_grads = {{y, hp::scalar("g")}}}), hp::TypeError);
}

TEST_CASE("the gradient through argmax is zero") {
  hp::Var x = hp::vector("x");
  hp::Var g = hp::grad(hp::cast(hp::argmax(x), hp::float64) * 2.0, x);
  CHECK(g.type() == x.type());
  CHECK(close(g.eval({{x, hp::array({3., 1., 2.})}}), hp::float64, {3}, {0, 0, 0}) == "");
}

TEST_CASE("the gradient through comparisons is zero") {
  hp::Var x = hp::vector("x");
  hp::Var g = hp::grad(hp::sum(hp::cast(x > 1.0, hp::float64) + hp::cast(hp::eq(x, 2.0), hp::float64)), x);
  CHECK(close(g.eval({{x, hp::array({3., 1., 2.})}}), hp::float64, {3}, {0, 0, 0}) == "");
  // A comparison used as a mask passes the gradient of the masked value only.
  hp::Var masked = hp::grad(hp::sum(x * hp::cast(x > 1.5, hp::float64)), x);
  CHECK(close(masked.eval({{x, hp::array({3., 1., 2.})}}), hp::float64, {3}, {1, 0, 1}) == "");
}

TEST_CASE("the gradient through a float-to-int cast is zero") {
  hp::Var x = hp::vector("x");
  hp::Var g = hp::grad(hp::sum(hp::cast(hp::cast(x, hp::int32), hp::float64)) + hp::sum(x), x);
  CHECK(close(g.eval({{x, hp::array({0.5, 1.5})}}), hp::float64, {2}, {1, 1}) == "");
}

TEST_CASE("the gradient through a jacobian (a third derivative) raises an error naming Jacobian") {
  hp::Var x = hp::vector("x");
  hp::Var H = hp::hessian(hp::sum(hp::pow(x, 3)), x);
  CHECK_THROWS_WITH_AS(hp::grad(hp::sum(H), x), doctest::Contains("Jacobian"), hp::Error);
}

TEST_CASE("the gradient with respect to a shared variable has its type and drives an update") {
  hp::Shared w = hp::shared(hp::array({1., 2., 3.}), "w");
  hp::Var x = hp::vector("x");
  hp::Var cost = hp::sum(hp::sqr(w * x));
  hp::Var g = hp::grad(cost, w);
  CHECK(g.type() == w.type());
  // d/dw sum((w x)^2) = 2 w x^2
  CHECK(close(g.eval({{x, hp::array({1., -1., 2.})}}), hp::float64, {3}, {2, 4, 24}) == "");
  hp::Function step = hp::compile({x}, {cost}, {.updates = {{w, w - 0.25 * g}}});
  step(hp::array({1., -1., 2.}));
  CHECK(close(w.get_value(), hp::float64, {3}, {0.5, 1., -3.}) == "");
}

TEST_CASE("grad of several wrt at once gives one gradient per wrt, in order") {
  hp::Var a = hp::scalar("a");
  hp::Var b = hp::scalar("b");
  const std::vector<hp::Var> g = hp::grad(a * a * b, {b, a});
  REQUIRE(g.size() == 2);
  CHECK(g[0].eval({{a, 3.0}}).item<double>() == 9.0);
  CHECK(g[1].eval({{a, 3.0}, {b, 5.0}}).item<double>() == 30.0);
}

TEST_CASE("the gradient of a gradient is the second derivative") {
  hp::Var x = hp::scalar("x");
  hp::Var y = hp::pow(x, 4) + hp::exp(x * 2);
  hp::Var g2 = hp::grad(hp::grad(y, x), x);
  CHECK(g2.eval({{x, 1.0}}).item<double>() == doctest::Approx(12 + 4 * std::exp(2.0)));
}

TEST_CASE("the gradient of zeros_like and ones_like is zero") {
  hp::Var x = hp::vector("x");
  hp::Var g = hp::grad(hp::sum(hp::zeros_like(x) + hp::ones_like(x)) + hp::sum(x) * 0.5, x);
  CHECK(close(g.eval({{x, hp::array({4., 5.})}}), hp::float64, {2}, {0.5, 0.5}) == "");
}
