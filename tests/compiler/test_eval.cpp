// Var::eval as Theano's: it compiles a function of the given variables in the
// default mode, caches it on the variable, and raises the reference
// evaluator's errors for bad givens.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <thread>
#include <vector>

#include <hypatia/hypatia.hpp>

#include "compiler/graph/graph_node.hpp"
#include "compiler/pipeline/var_eval.hpp"
#include "runtime/cpu/jit.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;

namespace {

/// Sets the default mode for one scope (the _debug rerun starts in Debug).
struct ModeScope {
  explicit ModeScope(hp::Mode mode) { hp::config().mode = mode; }
  hypatia_test::ConfigScope restore;
};

}  // namespace

TEST_CASE("eval runs in the default mode: Debug raises on NaN, FastRun returns it") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::log(x);
  {
    ModeScope debug(hp::Mode::Debug);
    CHECK_THROWS_WITH_AS(y.eval({{x, hp::array({1., -1.})}}), doctest::Contains("non-finite"),
                         hp::InvalidValueError);
  }
  ModeScope fast(hp::Mode::FastRun);
  CHECK(std::isnan(y.eval({{x, hp::array({1., -1.})}}).item<double>(1)));
}

TEST_CASE("eval runs FastRun's rewrites: log(1 + x) is log1p(x), exact for tiny x") {
  // Without the JIT (HYPATIA_WITH_CLANG=OFF) compile runs the reference on the graph as given.
  if (!hp::jit::available()) return;
  ModeScope fast(hp::Mode::FastRun);
  hp::Var x = hp::vector("x");
  CHECK(hp::log(1.0 + x).eval({{x, hp::array({1e-20})}}).item<double>(0) == 1e-20);
}

TEST_CASE("evaluating a variable again with the same given variables does not compile again") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  hp::Var z = x * y + 1.0;
  CHECK(hp::eval_cache_entries(z) == 0);
  CHECK(z.eval({{x, hp::array({1., 2.})}, {y, hp::array({3., 4.})}}).to_vector<double>() ==
        std::vector<double>{4, 9});
  CHECK(hp::eval_cache_entries(z) == 1);
  // New values, and the givens in another order: the same function.
  CHECK(z.eval({{y, hp::array({2.})}, {x, hp::array({5.})}}).to_vector<double>() == std::vector<double>{11});
  CHECK(hp::eval_cache_entries(z) == 1);
  // Another set of given variables is another function.
  hp::Var xy = z.owner()->inputs()[0];
  CHECK(z.eval({{xy, hp::array({7.})}}).to_vector<double>() == std::vector<double>{8});
  CHECK(hp::eval_cache_entries(z) == 2);
}

TEST_CASE("a change of config compiles again: the mode is part of the key") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::exp(x);
  {
    ModeScope fast(hp::Mode::FastRun);
    y.eval({{x, hp::array({0.})}});
  }
  {
    ModeScope debug(hp::Mode::Debug);
    y.eval({{x, hp::array({0.})}});
  }
  CHECK(hp::eval_cache_entries(y) == 2);
}

TEST_CASE("eval keeps at most kEvalCacheSize functions per variable") {
  hp::Var x = hp::vector("x");
  std::vector<hp::Var> chain{x};
  for (int k = 0; k < 10; ++k) chain.push_back(chain.back() + 1.0);
  const hp::Var& out = chain.back();
  for (int k = 0; k < 10; ++k) {
    CHECK(out.eval({{chain[k], hp::array({0.})}}).item<double>(0) == 10.0 - k);
  }
  CHECK(hp::eval_cache_entries(out) == hp::kEvalCacheSize);
}

TEST_CASE("the cache does not keep the variable or its givens alive") {
  std::weak_ptr<hp::VarNode> x_node, out_node;
  {
    hp::Var x = hp::vector("x");
    hp::Var out = hp::exp(x) * 2.0;
    CHECK(out.eval({{x, hp::array({0.})}}).item<double>(0) == 2.0);
    hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
    hp::Var s = hp::sum(w * 3.0);
    CHECK(s.eval().item<double>() == 9.0);  // no givens: the copy must not hold s itself
    CHECK(hp::eval_cache_entries(s) == 1);
    x_node = x.node_ptr();
    out_node = s.node_ptr();
  }
  CHECK(x_node.expired());
  CHECK(out_node.expired());
}

TEST_CASE("eval of one variable from several threads at once") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::sqr(x) + 1.0;
  std::vector<std::thread> threads;
  std::vector<double> got(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] { got[t] = y.eval({{x, hp::array({double(t)})}}).item<double>(0); });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) CHECK(got[t] == t * t + 1.0);
  CHECK(hp::eval_cache_entries(y) == 1);
}

TEST_CASE("a shared variable or an inner variable given a value replaces it") {
  hp::Shared w = hp::shared(hp::array({1., 2.}), "w");
  hp::Var x = hp::vector("x");
  hp::Var inner = x * 10.0;
  hp::Var out = inner + w;
  CHECK(out.eval({{x, hp::array({1., 1.})}}).to_vector<double>() == std::vector<double>{11, 12});
  CHECK(out.eval({{x, hp::array({1., 1.})}, {w, hp::array({0., 0.})}}).to_vector<double>() ==
        std::vector<double>{10, 10});
  CHECK(w.get_value().to_vector<double>() == std::vector<double>{1, 2});
  CHECK(out.eval({{inner, hp::array({5., 5.})}}).to_vector<double>() == std::vector<double>{6, 7});
  CHECK(out.eval({{out, hp::array({3.})}}).to_vector<double>() == std::vector<double>{3});
}

TEST_CASE("eval's result never shares storage with a given value") {
  hp::Var x = hp::matrix("x");
  const hp::Array a = hp::array({{1., 2.}, {3., 4.}});
  CHECK_FALSE(x.eval({{x, a}}).shares_storage(a));
  CHECK_FALSE(hp::transpose(x).eval({{x, a}}).shares_storage(a));
  CHECK_FALSE(hp::reshape(x, {4}).eval({{x, a}}).shares_storage(a));
}

TEST_CASE("eval's errors are the reference evaluator's, raised before compiling") {
  hp::Var x = hp::vector("x"), y = hp::vector("y"), unused = hp::vector("u");
  hp::Var z = x + y;
  CHECK_THROWS_WITH_AS(z.eval({{x, hp::array({1.})}}),
                       "missing input: 'y' (TensorType(float64, vector)) has no value; give it one "
                       "(eval({{var, value}}))",
                       hp::Error);
  CHECK_THROWS_WITH_AS(hp::exp(x).eval({{x, hp::array({1.})}, {unused, hp::array({1.})}}),
                       "eval: 'u' (TensorType(float64, vector)) is given a value but the expression "
                       "does not use it",
                       hp::Error);
  CHECK_THROWS_WITH_AS(z.eval({{x, hp::array({1.})}, {x, hp::array({1.})}, {y, hp::array({1.})}}),
                       "eval: 'x' (TensorType(float64, vector)) is given twice", hp::Error);
  CHECK_THROWS_WITH_AS(z.eval({{hp::Var(2.0), hp::array({1.})}}),
                       "eval: given 0 is a constant, which cannot take a value", hp::Error);
  CHECK_THROWS_AS(z.eval({{x, hp::array({{1.}})}, {y, hp::array({1.})}}), hp::TypeError);
  CHECK(hp::eval_cache_entries(z) == 0);
}

TEST_CASE("without the Clang JIT eval runs the reference evaluator, as compile does") {
  // Built with HYPATIA_WITH_CLANG=OFF, compile falls back to the reference
  // evaluator and so does eval; with the JIT both run generated code.
  hp::Var x = hp::vector("x");
  hp::Var y = hp::tanh(x) * 2.0;
  CHECK(hp::allclose(y.eval({{x, hp::array({0., 1.})}}), hp::array({0., 1.5231883119115295})));
  CHECK(hp::eval_cache_entries(y) == 1);
  const hp::Function f = hp::compile({x}, {y});
  CHECK(f.source().empty() == !hp::jit::available());
}
