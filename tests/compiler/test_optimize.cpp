// The whole optimizer on graphs users build: what the passes together do to
// the tutorial's MLP training step, that the stabilised forms survive the
// whole pipeline, and that optimising stays near-linear in graph size.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <hypatia/hypatia.hpp>
#include <map>
#include <sstream>
#include <string>

#include "compiler/rewrite/optimize.hpp"
#include "tests/compiler/rewrite_checks.hpp"

namespace hp = hypatia;
using rewrite_checks::count_ops;
using rewrite_checks::random_array;

namespace {

/// The tutorial's training step (cells 19-24, examples/mlp.cpp): a 2-4-1
/// sigmoid network, squared error, gradient descent with momentum. Returns
/// the function's outputs: the cost, then each update's new value.
std::vector<hp::Var> mlp_training_step(const hp::Var& x, const hp::Var& y) {
  const double learning_rate = 0.01, momentum = 0.9;
  std::vector<hp::Shared> params;
  hp::Var out = x;
  for (const auto& [n_out, n_in] : std::vector<std::pair<std::int64_t, std::int64_t>>{{4, 2}, {1, 4}}) {
    hp::Shared W = hp::shared(random_array({n_out, n_in}, hp::float64, 1), "W");
    hp::Shared b = hp::shared(hp::Array::ones({n_out, 1}), "b", std::vector<bool>{false, true});
    out = hp::sigmoid(hp::dot(W, out) + b);
    params.push_back(W);
    params.push_back(b);
  }
  hp::Var cost = hp::sum(hp::pow(out - y, 2));
  std::vector<hp::Var> outputs{cost};
  for (const hp::Shared& param : params) {
    const hp::Array value = param.get_value();
    hp::Shared step = hp::shared(hp::Array::zeros(value.shape(), value.dtype()), "", param.broadcastable());
    outputs.push_back(param - learning_rate * step);
    outputs.push_back(momentum * step + (1. - momentum) * hp::grad(cost, param));
  }
  return outputs;
}

/// "Dot: 4, Elemwise{add}: 9, ..." for the nodes of a graph, by op name without parameters.
std::map<std::string, int> ops_by_kind(const std::vector<hp::Var>& outputs,
                                       const std::vector<hp::Var>& inputs) {
  std::map<std::string, int> kinds;
  for (const auto& node : hp::topological_order(outputs, inputs)) {
    std::string name = node->op().name();
    if (!name.starts_with("Elemwise{")) name = name.substr(0, name.find('{'));
    ++kinds[name];
  }
  return kinds;
}

std::string table(const std::map<std::string, int>& kinds) {
  std::ostringstream text;
  for (const auto& [name, n] : kinds) text << "  " << name << ": " << n << "\n";
  return text.str();
}

}  // namespace

TEST_CASE("the MLP training step: what the passes together do to its gradient graph") {
  hp::Var x = hp::matrix("x"), y = hp::matrix("y");
  const std::vector<hp::Var> step = mlp_training_step(x, y);
  const std::vector<hp::Var> fast = hp::optimize({x, y}, step, hp::Mode::FastRun);
  const std::vector<hp::Var> plain = hp::optimize({x, y}, step, hp::Mode::FastCompile);
  const int before = count_ops(step, {x, y}), after_fast = count_ops(fast, {x, y}),
            after_plain = count_ops(plain, {x, y});
  MESSAGE("MLP training step: " << before << " nodes as built, " << after_plain
                                << " after FastCompile's passes, " << after_fast
                                << " after FastRun's\nas built:\n"
                                << table(ops_by_kind(step, {x, y})) << "FastRun:\n"
                                << table(ops_by_kind(fast, {x, y})));
  // When written: 81 nodes as built (6 Dot, 53 arithmetic Elemwise, 8
  // DimShuffle, ...), 47 after FastCompile's merge, shape, folding and
  // canonical forms, 23 after FastRun's (4 Gemm, 1 Dot, 11 fused loops, 3 Sum).
  CHECK(after_plain < before);
  CHECK(after_fast < after_plain / 2 + 1);
  // Both layers' W x + b and both weight updates' momentum sums become BLAS
  // calls that also do the add; the product that carries the gradient back
  // to the first layer, W2^T g, feeds no sum and stays a Dot.
  CHECK(count_ops(step, {x, y}, "Dot") == 6);
  CHECK(count_ops(fast, {x, y}, "Gemm") == 4);
  CHECK(count_ops(fast, {x, y}, "Dot") == 1);
  CHECK(count_ops(fast, {x, y}, "Shape") == 0);

  // The same numbers from the optimised graphs as from the graph as built.
  const std::vector<std::pair<hp::Var, hp::Array>> values{{x, random_array({2, 6}, hp::float64, 2)},
                                                          {y, random_array({1, 6}, hp::float64, 3, 0, 1)}};
  rewrite_checks::check_same_values(step, fast, values, 1e-12);
  rewrite_checks::check_same_values(step, plain, values, 1e-12);
}

TEST_CASE("the optimised graph stays finite where the naive one gives inf or nan") {
  hp::Var v = hp::vector("v"), m = hp::matrix("m");
  const std::vector<hp::Var> naive{
      hp::log(hp::sigmoid(v)),         // v = -800: log(0)
      hp::log(1.0 - hp::sigmoid(-v)),  // -v = 800: log(1 - 1)
      hp::log(hp::sum(hp::exp(v))),    // exp(1000) overflows
      hp::log(hp::softmax(m)),         // softmax of 1000 and 0 underflows to 0
      hp::log(1.0 + v * 1e-23),        // 1 + 1e-20 rounds to 1
  };
  const std::vector<std::pair<hp::Var, hp::Array>> values{{v, hp::array({-800., 1000.})},
                                                          {m, hp::array({{1000., 0.}, {0., 0.}})}};
  const std::vector<hp::Array> bad = hp::evaluate(naive, values);
  CHECK(!std::isfinite(bad[0].item<double>(0)));
  CHECK(!std::isfinite(bad[1].item<double>(0)));
  CHECK(!std::isfinite(bad[2].item<double>()));
  CHECK(!std::isfinite(bad[3].item<double>(1)));
  CHECK(bad[4].item<double>(1) == 0.0);
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile}) {
    const std::vector<hp::Array> good = hp::evaluate(hp::optimize({v, m}, naive, mode), values);
    CHECK(good[0].item<double>(0) == -800.0);
    CHECK(good[1].item<double>(0) == -800.0);
    CHECK(good[2].item<double>() == doctest::Approx(1000.0));
    CHECK(good[3].item<double>(1) == -1000.0);
    CHECK(good[4].item<double>(1) == doctest::Approx(1e-20).epsilon(1e-12));
  }
}

TEST_CASE("optimising a 10,000-node elementwise chain is near-linear: each pass well under a second") {
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  hp::Var out = x;
  for (int k = 0; k < 2000; ++k) out = hp::tanh(out * y + 1) + (-out);  // 5 nodes per step
  REQUIRE(count_ops({out}, {x, y}) == 10000);
  for (hp::Mode mode : {hp::Mode::FastCompile, hp::Mode::FastRun}) {
    const std::string mode_name = mode == hp::Mode::FastRun ? "FastRun" : "FastCompile";
    std::vector<hp::PassRun> trace;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<hp::Var> optimized = hp::optimize({x, y}, {out}, mode, {}, &trace);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::ostringstream passes;
    for (const hp::PassRun& run : trace) passes << "\n  " << run.name << ": " << run.ms << " ms";
    MESSAGE(mode_name << " on a 10,000-node chain: " << seconds * 1e3 << " ms" << passes.str());
    CHECK(count_ops(optimized, {x, y}, "Elemwise{neg}") == 0);
    for (const hp::PassRun& run : trace) {
      INFO(mode_name, ": ", run.name);
      // fuse_elemwise is timed by its own tests; here it only warns.
      if (run.name == "fuse_elemwise")
        WARN(run.ms < 250);
      else
        CHECK(run.ms < 250);
    }
    WARN(seconds < 1.0);
  }
}
