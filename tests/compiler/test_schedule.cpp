// FunctionGraph (clients, replace, validation) and the scheduler: a valid
// topological order that keeps fewer intermediate buffers alive than the
// depth-first order where the choice matters, and compiled code that runs in
// it and gives the reference's values.
#include <doctest/doctest.h>

#include <unordered_set>

#include <hypatia/hypatia.hpp>

#include "compiler/codegen/schedule.hpp"
#include "compiler/graph/function_graph.hpp"
#include "compiler/graph/walk.hpp"
#include "compiler/ops/fused_elemwise.hpp"
#include "compiler/reference/evaluate.hpp"
#include "compiler/rewrite/fuse_elemwise.hpp"
#include "compiler/rewrite/fuse_multi_output.hpp"
#include "tests/support/test_support.hpp"

namespace hp = hypatia;
using hypatia_test::contains;
using hypatia_test::message_of;

namespace {

/// Every node appears once, after the producers of its inputs.
bool is_topological(const std::vector<std::shared_ptr<hp::Apply>>& order) {
  std::unordered_set<const hp::Apply*> done;
  for (const auto& node : order) {
    for (const hp::Var& in : node->inputs()) {
      if (in.owner() && !done.count(in.owner().get())) {
        bool in_order = false;
        for (const auto& other : order) in_order = in_order || other.get() == in.owner().get();
        if (in_order) return false;
      }
    }
    if (!done.insert(node.get()).second) return false;
  }
  return true;
}

/// Ten branches of x, each three ops deep, summed at the end: the depth-first
/// order from `total = b0 + b1 + ...` finishes one branch before the next, so
/// build it the other way: every branch's first op is read by the *last* add.
struct WideGraph {
  hp::Var x = hp::vector("x");
  std::vector<hp::Var> firsts, lasts;
  hp::Var out;
  WideGraph() {
    for (int i = 0; i < 10; ++i) firsts.push_back(hp::exp(x * static_cast<double>(i + 1)));
    hp::Var total = hp::sum(firsts[0]);
    for (int i = 0; i < 10; ++i) lasts.push_back(hp::tanh(hp::sqr(firsts[i]) + 1.0));
    for (int i = 0; i < 10; ++i) total = total + hp::sum(lasts[i] * firsts[9 - i]);
    out = total;
  }
};

}  // namespace

TEST_CASE("FunctionGraph lists nodes in order and each variable's clients") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  hp::Var y = e * e + e;
  hp::FunctionGraph fg({x}, {y});
  CHECK(fg.nodes().size() == 3);
  CHECK(is_topological(fg.nodes()));
  CHECK(fg.clients(e).size() == 3);  // two mul operands and one add operand
  CHECK(fg.clients(y).size() == 1);
  CHECK(fg.clients(y)[0].node == nullptr);  // output 0
  CHECK(fg.clients(x).size() == 1);
  CHECK_NOTHROW(fg.validate());
}

TEST_CASE("FunctionGraph::replace keeps types and rebuilds only what depends on the replaced variable") {
  hp::Var x = hp::vector("x");
  hp::Var e = hp::exp(x);
  hp::Var t = hp::tanh(x);
  hp::FunctionGraph fg({x}, {e + t});
  fg.replace(e, hp::log1p(x));
  CHECK(hp::pp(fg.outputs()[0]) == "(log1p(x) + tanh(x))");
  CHECK(fg.clients(t).size() == 1);  // the untouched tanh node is reused
  CHECK(fg.clients(e).empty());
  CHECK(contains(message_of<hp::TypeError>([&] { fg.replace(t, hp::matrix("m")); }), "cannot be replaced"));
  CHECK_NOTHROW(fg.validate());
}

TEST_CASE("validate reports a node reading an input the graph was not given") {
  hp::Var x = hp::vector("x");
  hp::Var y = hp::vector("y");
  hp::FunctionGraph fg({x}, {x + y});
  CHECK(contains(message_of<hp::Error>([&] { fg.validate(); }), "an input the graph was not given"));
}

TEST_CASE("the schedule is topological and keeps fewer buffers alive than depth-first order") {
  WideGraph g;
  const auto dfs = hp::topological_order({g.out}, {g.x});
  const auto scheduled = hp::schedule({g.x}, {g.out});
  CHECK(scheduled.size() == dfs.size());
  CHECK(is_topological(scheduled));
  const std::size_t dfs_peak = hp::peak_live_buffers(dfs, {g.out});
  const std::size_t scheduled_peak = hp::peak_live_buffers(scheduled, {g.out});
  MESSAGE("live buffers at peak: depth-first ", dfs_peak, ", scheduled ", scheduled_peak);
  CHECK(scheduled_peak < dfs_peak);
}

TEST_CASE("the schedule keeps fewer buffers alive where depth-first order computes everything first") {
  // out = sum(a0) + sum(a1) + ... where a_i = exp(x_i) and the sums are read
  // from the last one backwards: depth-first computes all exps first only if
  // the adds nest that way; the scheduler runs each sum right after its exp.
  hp::Var x = hp::vector("x");
  std::vector<hp::Var> a;
  for (int i = 0; i < 8; ++i) a.push_back(hp::exp(x + static_cast<double>(i)));
  // One node reads all the exps (a join), then each is reduced separately.
  hp::Var joined = hp::concatenate(a);
  hp::Var total = hp::sum(joined);
  for (int i = 0; i < 8; ++i) total = total + hp::sum(a[i] * a[i]);
  const auto scheduled = hp::schedule({x}, {total});
  CHECK(is_topological(scheduled));
  CHECK(hp::peak_live_buffers(scheduled, {total}) <=
        hp::peak_live_buffers(hp::topological_order({total}, {x}), {total}));
}

TEST_CASE("compiled code runs in the scheduled order and matches the reference") {
  WideGraph g;
  for (hp::Mode mode : {hp::Mode::FastRun, hp::Mode::FastCompile}) {
    hp::Function f = hp::compile({g.x}, {g.out}, {.mode = mode});
    const hp::Array x = hp::array({0.1, -0.2, 0.3, 0.05});
    const hp::Array want = hp::evaluate({g.out}, {{g.x, x}}).at(0);
    CHECK(hp::allclose(f(x)[0], want, 1e-12, 1e-12));
  }
}

TEST_CASE("the other outputs of a multi-output loop are scheduled right after it") {
  // After the loop writing exp(x) * 2 and exp(x) + 1, the reduction of y
  // frees more than the FusedOutputOp node (which holds a scratch value for
  // the dot): the greedy choice alone would run the reduction in between.
  hp::Var x = hp::vector("x"), y = hp::vector("y");
  hp::Var t = hp::exp(x);
  const std::vector<hp::Var> outputs{t * 2, hp::dot(t + 1, y) + hp::sum(y * y)};
  const std::vector<hp::Var> fused = hp::fuse_multi_output({x, y}, hp::fuse_elemwise({x, y}, outputs));
  const auto order = hp::schedule({x, y}, fused);
  CHECK(is_topological(order));
  int loop = -1, part = -1;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (dynamic_cast<const hp::FusedOutputOp*>(&order[i]->op())) part = static_cast<int>(i);
    const auto* op = dynamic_cast<const hp::FusedElemwiseOp*>(&order[i]->op());
    if (op && op->inner_outputs().size() == 2) loop = static_cast<int>(i);
  }
  REQUIRE(loop >= 0);
  CHECK(part == loop + 1);
}
